// Bounded, never-throwing reads shared by the discovery modules: a missing or unreadable path is
// simply not there, and nothing larger than a limit is read.
import { readdirSync, readFileSync, statSync } from "node:fs";

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function readSmall(path: string, max = 1024 * 1024): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > max) return null;
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
