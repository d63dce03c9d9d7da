import type { RunReport } from '../report.js';
import { esc } from './escape.js';
import { fmtInt } from './format.js';

/** At most this many violations are listed per invariant; the count says how many there were. */
const MAX_VIOLATIONS = 20;

/** The invariant checks run after the load, when the report carries them. */
export function invariantsSection(report: RunReport): string {
  const inv = report.invariants;
  if (!inv) return '';
  const rows = inv.invariants
    .map((c) => {
      const verdict = c.ok === true ? 'ok' : c.ok === false ? 'VIOLATED' : 'unknown';
      const cls = c.ok === true ? 'pass' : c.ok === false ? 'fail' : 'unknown';
      const details = c.violations
        .slice(0, MAX_VIOLATIONS)
        .map((v) => `<li><b>${esc(v.subject)}</b>: expected ${esc(v.expected)}, found ${esc(v.found)}</li>`)
        .join('');
      const more =
        c.violations.length > MAX_VIOLATIONS
          ? `<li>… and ${fmtInt(c.violations.length - MAX_VIOLATIONS)} more</li>`
          : '';
      const notes = (c.notes ?? []).map((n) => `<li class="note">${esc(n)}</li>`).join('');
      const list = details || more || notes ? `<ul>${details}${more}${notes}</ul>` : '';
      return (
        `<tr class="${cls}" data-invariant="${esc(c.name)}"><td>${esc(c.name)}</td><td class="verdict">${verdict}</td>` +
        `<td class="num">${fmtInt(c.checked)}</td><td class="num">${fmtInt(c.violations.length)}</td><td>${list}</td></tr>`
      );
    })
    .join('');
  const overall = inv.ok ? 'every invariant holds' : 'invariants violated or unknown';
  return (
    `<section id="invariants"><h2>Invariants <small class="${inv.ok ? 'pass' : 'fail'}">${overall}</small></h2>` +
    `<table><thead><tr><th>invariant</th><th>result</th><th>checked</th><th>violations</th><th>details</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></section>`
  );
}
