// Reads slither's JSON report and fails (exit 1) on any Medium or High finding without a triage
// entry. A finding's key is stable across line shifts: `<check>|<element type>:<element name>|<file>`.
import { readFileSync, existsSync } from "node:fs";

const [reportPath, triagePath] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, "utf8"));
if (!report.success) {
  console.error(`slither failed: ${report.error}`);
  process.exit(1);
}
const triage = existsSync(triagePath) ? JSON.parse(readFileSync(triagePath, "utf8")) : {};
for (const [key, entry] of Object.entries(triage)) {
  if (typeof entry?.reason !== "string" || entry.reason.trim().length < 10) {
    console.error(`slither triage entry without a reason: ${key}`);
    process.exit(1);
  }
}

const findings = report.results?.detectors ?? [];
const keyOf = (f) => {
  const e = f.elements?.[0] ?? {};
  return `${f.check}|${e.type}:${e.name}|${e.source_mapping?.filename_relative ?? "?"}`;
};
const gated = [];
const counts = {};
for (const f of findings) {
  counts[f.impact] = (counts[f.impact] ?? 0) + 1;
  const key = keyOf(f);
  const triaged = Object.hasOwn(triage, key);
  const mark = triaged ? "triaged" : f.impact === "High" || f.impact === "Medium" ? "UNTRIAGED" : "note";
  console.log(`[${f.impact}] ${mark} ${key}\n    ${f.description.split("\n")[0]}`);
  if (mark === "UNTRIAGED") gated.push(key);
}
const used = new Set(findings.map(keyOf));
for (const key of Object.keys(triage)) {
  if (!used.has(key)) console.log(`stale triage entry (no longer reported): ${key}`);
}
const summary =
  Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ") || "no findings";
console.log(`slither: ${summary}; ${gated.length} untriaged Medium/High`);
if (gated.length > 0) {
  console.error(
    "slither gate FAILED: fix these findings or triage them with a reason in audits/slither-triage.json",
  );
  process.exit(1);
}
