// Every region of a Label Studio export, read with JavaScript's own UTF-16 string semantics.
// usage: node utf16_check.mjs EXPORT.json EXPECTED.json
// Prints one JSON line: {regions, matching_text, at_expected_offsets, missing, problems: [...]}.
import { readFileSync } from "node:fs";

const [exportPath, expectedPath] = process.argv.slice(2);
const tasks = JSON.parse(readFileSync(exportPath, "utf8"));
const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
const problems = [];
let regions = 0, matchingText = 0, atExpected = 0;
const seen = new Set();
for (const task of tasks) {
  const text = task.data.text;
  const docId = task.data.doc_id;
  const want = expected[docId];
  if (!want) { problems.push(`task ${task.id}: unknown doc_id ${docId}`); continue; }
  if (want.text !== text) problems.push(`task ${task.id}: text differs from ours`);
  const wanted = new Map(want.spans.map(s => [`${s.start16}:${s.end16}:${s.label}`, s]));
  for (const ann of task.annotations || []) {
    for (const r of ann.result || []) {
      if (!r.value || !Array.isArray(r.value.labels)) continue;
      regions += 1;
      const { start, end, labels } = r.value;
      const sliced = text.slice(start, end);
      if (sliced === r.value.text) matchingText += 1;
      else problems.push(`task ${task.id} region ${r.id}: slice(${start}, ${end}) = ${JSON.stringify(sliced)}, value.text = ${JSON.stringify(r.value.text)}`);
      const key = `${start}:${end}:${labels[0]}`;
      const w = wanted.get(key);
      if (w && w.text === sliced) { atExpected += 1; seen.add(`${docId}|${key}`); }
      else problems.push(`task ${task.id} region ${r.id}: ${key} is not one of our spans`);
    }
  }
}
let missing = 0;
for (const [docId, want] of Object.entries(expected)) {
  for (const s of want.spans) {
    if (s.status === "accepted" && !seen.has(`${docId}|${s.start16}:${s.end16}:${s.label}`)) missing += 1;
  }
}
console.log(JSON.stringify({ regions, matching_text: matchingText, at_expected_offsets: atExpected, missing, problems }));
