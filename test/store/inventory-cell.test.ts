import { describe, expect, it } from "vitest";
import { advisoryCell, countCells } from "../../src/cli/inventory.ts";

describe("inventory advisories column", () => {
  it("shows the first three GHSA ids, never the whole list nor an alias", () => {
    const ids = Array.from({ length: 463 }, (_, i) => [
      `GHSA-aaaa-bbbb-${String(i).padStart(4, "0")}`,
      `CVE-2026-${i}`,
    ]).flat();
    expect(advisoryCell(ids)).toBe("GHSA-aaaa-bbbb-0000,GHSA-aaaa-bbbb-0001,GHSA-aaaa-bbbb-0002,…");
    expect(advisoryCell(["GHSA-x", "CVE-1"])).toBe("GHSA-x");
    expect(advisoryCell([])).toBe("-");
  });

  it("puts each advisory number under its own label, right-aligned", () => {
    const cells = countCells({ affecting: 216, possiblyAffecting: 0, preAuth: 54, usableHere: 12 });
    expect(cells).toBe("      216       54          12");
    expect(`AFFECTING PRE-AUTH USABLE HERE`.length).toBe(cells.length);
  });
});
