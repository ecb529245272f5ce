import { randomBytes } from "node:crypto";

/** A new gateway or hooks secret: 32 random bytes, URL-safe. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}
