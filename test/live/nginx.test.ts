// Live: a real nginx reverse proxy with nothing behind it (502s) must not be reported as a
// gateway. nginx runs as our own process on a loopback port with a throw-away config.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { limitsForTimeout } from "../../src/net/limits.ts";
import { NO_ADVISORIES } from "../../src/scan/assess.ts";
import { runScan } from "../../src/scan/engine.ts";
import type { Observation } from "../../src/scan/record.ts";
import { buildPlan } from "../../src/targets/spec.ts";
import { streamEndpoints } from "../../src/targets/stream.ts";
import { describeLive } from "../support/live.ts";

const NGINX = "/usr/sbin/nginx";

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, "127.0.0.1", () => {
        c.destroy();
        r(true);
      });
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

describeLive(
  "live nginx in front of nothing",
  existsSync(NGINX) ? null : `${NGINX} not installed (apt-get install nginx-light)`,
  () => {
    let dir = "";
    let proc: ChildProcess | null = null;
    let port = 0;
    let result: Observation | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "clawpatrol-nginx-"));
      port = await freePort();
      const dead = await freePort();
      writeFileSync(
        join(dir, "nginx.conf"),
        `pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://127.0.0.1:${dead}; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }
  }
}
`,
      );
      proc = spawn(NGINX, ["-c", join(dir, "nginx.conf"), "-p", dir, "-g", "daemon off;"], {
        stdio: "ignore",
      });
      await waitForPort(port, 10_000);
      const plan = buildPlan(["127.0.0.1"], []);
      for await (const o of runScan(streamEndpoints(plan, [port], { seed: 1 }), {
        rate: 0,
        concurrency: 1,
        probeConcurrency: 1,
        perHost: 1,
        limits: limitsForTimeout(3000),
        includeClosed: false,
        advise: NO_ADVISORIES,
      }))
        result = o;
    }, 30_000);

    afterAll(() => {
      proc?.kill("SIGTERM");
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("sees nginx answering 502 and reports no gateway", () => {
      expect(result?.reachable).toBe(true);
      expect(result?.product).toBeNull();
      expect(result?.findings).toEqual([]);
      expect(result?.evidence[0]?.detail).toMatch(/502/);
    });
  },
);
