// Rewrites the rule table of docs/assessment.md from lib/assessment/rules (npm run docs:rules).
import * as fs from 'fs';
import * as path from 'path';
import { renderRuleTable, RULE_TABLE_BEGIN, RULE_TABLE_END } from '../lib/assessment/rule-table';

const file = path.join(__dirname, '..', 'docs', 'assessment.md');
const text = fs.readFileSync(file, 'utf8');
const start = text.indexOf(RULE_TABLE_BEGIN);
const end = text.indexOf(RULE_TABLE_END);
if (start < 0 || end < start) throw new Error('docs/assessment.md: rule table markers not found');
fs.writeFileSync(file, `${text.slice(0, start + RULE_TABLE_BEGIN.length)}\n${renderRuleTable()}\n${text.slice(end)}`);
console.log(`docs/assessment.md: ${renderRuleTable().split('\n').length - 2} rules`);
