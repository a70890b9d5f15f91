// Evaluates a workflow job's `strategy.matrix` expression the way GitHub does
// (@actions/expressions, GitHub's own evaluator), with needs.plan.outputs.matrix
// set to what `faultline plan --shards N` printed, and prints the resulting
// matrix as JSON. Usage: node eval_matrix.mjs NPM_DIR WORKFLOW JOB PLAN_OUTPUT_FILE
// Exit 0 printed, 1 the expression is missing or does not evaluate to a mapping,
// 125 the packages are not installed.
import { readFile, access } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [npmDir, workflowFile, job, planFile] = process.argv.slice(2);
const modules = join(npmDir, "node_modules");
const expressionsPath = join(modules, "@actions/expressions/dist/index.js");
const yamlPath = join(modules, "yaml/dist/index.js");
try {
  await access(expressionsPath);
  await access(yamlPath);
} catch {
  console.error(`@actions/expressions or yaml not installed in ${modules}`);
  process.exit(125);
}
const { Lexer, Parser, Evaluator, data } = await import(pathToFileURL(expressionsPath).href);
const YAML = (await import(pathToFileURL(yamlPath).href)).default;

const workflow = YAML.parse(await readFile(workflowFile, "utf8"));
const text = workflow?.jobs?.[job]?.strategy?.matrix;
const m = typeof text === "string" ? /^\$\{\{(.*)\}\}$/s.exec(text.trim()) : null;
if (!m) {
  console.error(`${workflowFile}: jobs.${job}.strategy.matrix is not a \${{ }} expression`);
  process.exit(1);
}
const plan = (await readFile(planFile, "utf8")).trim();
const context = new data.Dictionary({
  key: "needs",
  value: new data.Dictionary({
    key: "plan",
    value: new data.Dictionary({ key: "outputs", value: new data.Dictionary({ key: "matrix", value: new data.StringData(plan) }) }),
  }),
});
const lexed = new Lexer(m[1]).lex();
const expr = new Parser(lexed.tokens, ["needs"], []).parse();
const result = new Evaluator(expr, context).evaluate();
const toPlain = (d) => {
  if (d instanceof data.Dictionary) return Object.fromEntries(d.pairs().map((p) => [p.key, toPlain(p.value)]));
  if (d instanceof data.Array) return d.values().map(toPlain);
  return d.value;
};
if (!(result instanceof data.Dictionary)) {
  console.error(`${workflowFile}: jobs.${job}.strategy.matrix evaluates to ${result.coerceString()}, not a mapping`);
  process.exit(1);
}
console.log(JSON.stringify(toPlain(result)));
