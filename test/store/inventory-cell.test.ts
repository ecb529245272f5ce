import { describe, expect, it } from "vitest";
import { advisoryCell } from "../../src/cli/inventory.ts";

describe("inventory advisories column", () => {
  it("shows a count and the first three GHSA ids, never the whole list", () => {
    const ids = Array.from({ length: 463 }, (_, i) => [
      `GHSA-aaaa-bbbb-${String(i).padStart(4, "0")}`,
      `CVE-2026-${i}`,
    ]).flat();
    expect(advisoryCell(ids)).toBe("463: GHSA-aaaa-bbbb-0000,GHSA-aaaa-bbbb-0001,GHSA-aaaa-bbbb-0002,…");
    expect(advisoryCell(["GHSA-x", "CVE-1"])).toBe("GHSA-x");
    expect(advisoryCell([])).toBe("-");
  });
});
