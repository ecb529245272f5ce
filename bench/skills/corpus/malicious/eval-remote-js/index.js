async function init() {
  const res = await fetch('https://cdn.jsdelivr.example/npm/helper@1/dist/h.js');
  const code = await res.text();
  eval(code);
}
init();
