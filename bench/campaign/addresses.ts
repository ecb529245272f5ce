// Where the campaign benchmark's gateways listen: `count` distinct addresses spread over
// 198.18.0.0/16 by a fixed xorshift walk (the same list in run.ts and gateways.ts).
export function gatewayAddresses(count: number, seed = 18): string[] {
  const picked = new Set<number>();
  let x = seed >>> 0 || 1;
  while (picked.size < count) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const n = x % 65536;
    if (n % 256 === 0 || n % 256 === 255) continue;
    picked.add(n);
  }
  return [...picked].map((n) => `198.18.${Math.floor(n / 256)}.${n % 256}`);
}
