"""The status page's stylesheet (``style.css``), kept as text so that the page builder does no I/O."""

CSS = """\
:root {
  --ink: #212529; --muted: #495057; --faint: #868e96; --line: #dee2e6; --bg: #f4f5f7; --card: #ffffff;
  --accent: #d9480f; --blue: #1c7ed6; --green: #2f9e44; --canary: #f08c00;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 var(--sans); }
code { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { background: var(--card); border-bottom: 1px solid var(--line); padding: 20px 32px 12px; }
header.top h1 { margin: 0; font-size: 22px; font-weight: 650; overflow-wrap: anywhere; }
header.top h1 span { color: var(--faint); font-weight: 400; }
.meta { margin: 4px 0 10px; color: var(--muted); }
.legend, .toc { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; padding: 0; list-style: none;
  color: var(--muted); font-size: 12px; }
.toc { margin-top: 8px; font-size: 13px; }
.toc span { color: var(--faint); }
.sw { display: inline-block; width: 14px; height: 10px; margin-right: 6px; border: 1.5px solid; border-radius: 3px;
  vertical-align: -1px; }
.sw.entry { background: #edf2ff; border-color: #4c6ef5; border-radius: 6px; }
.sw.router { background: #fff9db; border-color: #f08c00; }
.sw.service { background: #e6fcf5; border-color: #0ca678; }
.sw.workload { background: #fff; border-color: #495057; }
.sw.idle { background: #f8f9fa; border: 1.5px dashed #adb5bd; }
main { max-width: 1360px; margin: 0 auto; padding: 8px 32px 48px; }
section.app > h2 { margin: 24px 0 12px; font-size: 18px; overflow-wrap: anywhere; }
section.app > h2 .image { margin-left: 8px; color: var(--faint); font: 400 13px var(--mono); }
.card { display: grid; grid-template-columns: minmax(280px, 340px) minmax(0, 1fr); gap: 8px 24px;
  background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px;
  margin-bottom: 14px; box-shadow: 0 1px 2px rgba(0, 0, 0, .04); }
.info { min-width: 0; }
.info header { display: flex; align-items: baseline; flex-wrap: wrap; gap: 4px 10px; }
.info h3 { margin: 0; font-size: 16px; overflow-wrap: anywhere; }
.info h4 { margin: 14px 0 4px; font-size: 12px; color: var(--faint); text-transform: uppercase;
  letter-spacing: .04em; }
.info p { margin: 6px 0; overflow-wrap: anywhere; }
.overlay { color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: #e9ecef; color: var(--muted); white-space: nowrap; }
.badge.canary { background: #fff4e6; color: #d9480f; }
.badge.bluegreen { background: #e7f5ff; color: #1971c2; }
.badge.rolling, .badge.recreate { background: #ebfbee; color: #2b8a3e; }
.k { display: inline-block; min-width: 52px; color: var(--faint); font-size: 12px; }
.color { font-weight: 600; }
.color::before { content: ""; display: inline-block; width: 9px; height: 9px; margin-right: 5px; border-radius: 50%;
  background: var(--faint); }
.color.blue::before { background: var(--blue); }
.color.green::before { background: var(--green); }
.progress { margin: 10px 0 6px; }
.steps { display: flex; gap: 3px; margin: 0; padding: 0; list-style: none; }
.steps li { flex: 1; min-width: 0; padding-top: 9px; position: relative; font-size: 11px; color: var(--faint);
  text-align: right; }
.steps li::before { content: ""; position: absolute; top: 0; left: 0; right: 0; height: 6px; border-radius: 3px;
  background: #e9ecef; }
.steps li.done::before { background: #ffd8a8; }
.steps li.current::before { background: var(--canary); }
.steps li.current { color: var(--ink); font-weight: 600; }
.step { font-weight: 600; }
.match { color: var(--accent); }
.workloads { margin: 8px 0 0; padding: 0; list-style: none; }
.workloads li { margin: 3px 0; }
.workloads .name { font-weight: 600; overflow-wrap: anywhere; }
.workloads .count { color: var(--muted); margin-right: 6px; }
.workloads code { display: block; color: var(--muted); }
.history { margin: 0; padding: 0; list-style: none; font-size: 12px; }
.history li { padding: 3px 0; border-top: 1px solid #f1f3f5; overflow-wrap: anywhere; }
.history li:first-child { border-top: 0; }
.history time { color: var(--faint); margin-right: 4px; }
.history .action { display: inline-block; margin: 0 4px; padding: 0 5px; border-radius: 4px; background: #f1f3f5;
  font-family: var(--mono); font-size: 11px; }
.history .summary { color: var(--muted); }
.history .by { color: var(--faint); }
.none { color: var(--faint); font-size: 12px; }
.error { color: #c92a2a; background: #fff5f5; border: 1px solid #ffc9c9; border-radius: 6px; padding: 6px 8px; }
figure.picture { margin: 0; min-width: 0; display: flex; align-items: center; justify-content: center;
  background: #fbfbfc; border: 1px solid #f1f3f5; border-radius: 8px; padding: 8px; }
figure.picture svg { display: block; max-width: 100%; height: auto; }
@media (max-width: 860px) {
  .card { grid-template-columns: minmax(0, 1fr); }
  main, header.top { padding-left: 14px; padding-right: 14px; }
}
"""
