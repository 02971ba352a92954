"""Page CSS and two small scripts: citation clicks go to Python, the context view scrolls to its mark."""

# Runs once per HTML component (Gradio's js_on_load). Clicks are delegated, so markers in re-rendered
# content work too; `trigger` sends {turn, cite} to the component's Python `cite` listener.
CITE_JS = """
const fire = (el) => trigger('cite', {turn: Number(el.dataset.turn), cite: Number(el.dataset.cite)});
element.addEventListener('click', (e) => {
  const el = e.target.closest('[data-cite]');
  if (el && element.contains(el)) { e.preventDefault(); fire(el); }
});
element.addEventListener('keydown', (e) => {
  const el = e.target.closest('li[data-cite]');
  if (el && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); fire(el); }
});
"""

# The chat follows its newest turn: when a question is added and when its answer (or error) is final, the
# chat's scroller brings that turn's answer into view (its question, when the two fit together). Between those
# moments it does not move, so a reader who scrolls up is not pulled back. Gradio's autoscroll did not (a
# browser walk-through: after a few questions, the new answer sat below the box, scrollTop 0).
CHAT_SCROLL_JS = """
let seen = '';
const scrolls = (b) => ['auto', 'scroll'].includes(getComputedStyle(b).overflowY) && b.scrollHeight > b.clientHeight + 1;
const scroller = () => {  // Gradio's own box inside the component (or one around it)
  const inside = [...element.querySelectorAll('div')].find((b) => !b.closest('.qa-turn') && scrolls(b));
  if (inside) return inside;
  for (let b = element; b && b !== document.body; b = b.parentElement) if (scrolls(b)) return b;
  return null;
};
const follow = () => {
  const turns = element.querySelectorAll('.qa-turn');
  const last = turns[turns.length - 1];
  if (!last) return;
  const state = turns.length + (last.querySelector('.qa-caret') ? ':open' : ':done');
  if (state === seen) return;
  seen = state;
  const box = scroller();
  if (!box) return;
  const top = box.getBoundingClientRect().top;
  const answer = last.querySelector('.qa-a') || last;
  const turnTop = last.getBoundingClientRect().top - top + box.scrollTop;
  const answerEnd = answer.getBoundingClientRect().bottom - top + box.scrollTop;
  // the whole turn when it fits, else from its answer's start
  const to = answerEnd - turnTop <= box.clientHeight ? turnTop : answer.getBoundingClientRect().top - top + box.scrollTop;
  box.scrollTop = Math.max(0, to - 8);
};
watch('value', () => requestAnimationFrame(follow));
"""

CONTEXT_JS = """
const show = () => {
  const box = element.querySelector('.qa-context-text');
  const mark = element.querySelector('mark.qa-highlight');
  if (!box || !mark) return;
  box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  const r = element.getBoundingClientRect();
  if (r.top < 0 || r.bottom > window.innerHeight) element.scrollIntoView({block: 'nearest'});
};
watch('value', show);
show();
"""

CSS = """
#qa-title h1 { margin: 0; font-size: 1.5rem; }
#qa-title p { margin: 0.2rem 0 0; color: var(--body-text-color-subdued); }
#qa-chat { min-height: 24rem; border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
  padding: 0.75rem; background: var(--background-fill-secondary); }
.qa-empty, .qa-sources-empty { color: var(--body-text-color-subdued); padding: 0.5rem; }
.qa-turn { margin-bottom: 1.1rem; }
.qa-q { margin-left: auto; width: fit-content; max-width: 85%; background: var(--color-accent-soft);
  border-radius: 12px 12px 2px 12px; padding: 0.45rem 0.75rem; font-weight: 600; white-space: pre-wrap; }
.qa-rewritten { text-align: right; font-size: 0.8rem; color: var(--body-text-color-subdued);
  margin-top: 0.2rem; }
.qa-a { margin-top: 0.5rem; max-width: 92%; background: var(--background-fill-primary); line-height: 1.6;
  border: 1px solid var(--border-color-primary); border-radius: 12px 12px 12px 2px; padding: 0.6rem 0.8rem; }
.qa-streaming { white-space: pre-wrap; color: var(--body-text-color-subdued); }
.qa-caret { display: inline-block; width: 0.5em; height: 1em; margin-left: 2px; vertical-align: text-bottom;
  background: var(--color-accent); animation: qa-blink 1s steps(1) infinite; }
@keyframes qa-blink { 50% { opacity: 0; } }
.qa-wait { font-style: italic; }
.qa-draft-label { font-size: 0.85em; font-weight: 600; }
.qa-draft { font-style: italic; opacity: 0.75; }
.qa-declined-unverified { border-left: 3px solid #d97706; padding-left: 0.5em; }
.qa-declined-none { border-left: 3px solid #9ca3af; padding-left: 0.5em; }
.qa-near ul { margin: 0.3em 0 0 1.2em; }
.qa-near-doc { font-weight: 600; }
.qa-near-item, .qa-check-item { cursor: pointer; }
.qa-near-item:hover, .qa-near-item:focus, .qa-check-item:hover, .qa-check-item:focus { text-decoration: underline; }
.qa-stance-contradicts strong { color: #b91c1c; }
.qa-stance-supports strong { color: #15803d; }
.qa-stance-why { color: #6b7280; font-size: 0.9em; }
.qa-meta { font-size: 0.75rem; color: var(--body-text-color-subdued); margin: 0.15rem 0 0 0.2rem; }
button.qa-cite { all: unset; cursor: pointer; color: var(--color-accent); font-weight: 700; font-size: 0.8em;
  vertical-align: super; padding: 0 1px; }
button.qa-cite:hover, button.qa-cite:focus-visible { text-decoration: underline; outline: none; }
.qa-unsupported { text-decoration: underline wavy #d97706; text-underline-offset: 3px; cursor: help; }
.qa-unsupported-tag { font-size: 0.7rem; font-weight: 700; text-transform: uppercase; color: #b45309;
  background: #fef3c7; border-radius: 4px; padding: 0 0.3rem; margin-left: 0.3rem; vertical-align: middle; }
.qa-disputed { font-size: 0.7rem; font-weight: 700; color: #b91c1c; border: 1px solid currentColor;
  border-radius: 4px; padding: 0 0.25rem; margin-left: 0.3rem; vertical-align: middle; cursor: help;
  white-space: nowrap; }
.qa-says-otherwise { font-weight: 700; color: #b91c1c; }
.qa-yes-no { font-weight: 700; }
.qa-left-out { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 0.35rem; }
.qa-redraft { font-size: 0.85em; font-weight: 600; color: #b45309; margin-bottom: 0.2rem; }
.qa-failed { border-color: #b91c1c; color: #b91c1c; }
.qa-declined { border-left: 4px solid #9ca3af; padding-left: 0.6rem; }
.qa-sources-head { font-size: 0.85rem; color: var(--body-text-color-subdued); margin-bottom: 0.4rem; }
ol.qa-sources { list-style: none; padding: 0; margin: 0; }
li.qa-source { border: 1px solid var(--border-color-primary); border-radius: var(--radius-md);
  cursor: pointer; padding: 0.45rem 0.6rem; margin-bottom: 0.45rem;
  background: var(--background-fill-primary); }
li.qa-source:hover, li.qa-source:focus-visible { border-color: var(--color-accent); outline: none; }
li.qa-source.qa-selected { border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent); }
.qa-n { font-weight: 700; color: var(--color-accent); }
.qa-possibly { font-style: italic; }
.qa-src-meta { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 0.2rem; }
.qa-context-head { font-size: 0.85rem; margin-bottom: 0.35rem; }
.qa-context-text { position: relative; max-height: 20rem; overflow-y: auto; white-space: pre-wrap;
  border: 1px solid var(--border-color-primary); border-radius: var(--radius-md); padding: 0.6rem 0.75rem;
  background: var(--background-fill-primary); line-height: 1.55; font-size: 0.92rem; }
.qa-far { color: var(--body-text-color-subdued); opacity: 0.75; }
mark.qa-highlight { background: #fde68a; color: #111; border-radius: 3px; padding: 0 2px; }
.qa-more { color: var(--body-text-color-subdued); }
.qa-context-error, .qa-error { color: #b91c1c; }
.qa-note { color: var(--body-text-color-subdued); }
.qa-scroll { overflow-x: auto; max-width: 100%; }
table.qa-table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
table.qa-docs td:not(:first-child), table.qa-docs th { white-space: nowrap; }
table.qa-compare td { min-width: 9rem; overflow-wrap: anywhere; }
table.qa-compare th { min-width: 9rem; overflow-wrap: break-word; }
mark.qa-diff { background: #fde68a; color: #111; border-radius: 3px; padding: 0 2px; font-weight: 600; }
.qa-done-note { color: #14532d; background: #dcfce7; border: 1px solid #86efac; border-radius: var(--radius-md);
  padding: 0.5rem 0.75rem; font-weight: 600; }
.qa-context-details { font-size: 0.72rem; color: var(--body-text-color-subdued); margin-top: 0.3rem; }
.qa-h { font-size: 1.05em; }
.qa-md { display: none; }
.prose table.qa-table, .prose table.qa-table tr { border: none; }
.prose table.qa-table th, .prose table.qa-table td { text-align: left; padding: 0.35rem 0.5rem; border: none;
  border-bottom: 1px solid var(--border-color-primary); }
.prose table.qa-table td.qa-num { text-align: right; font-variant-numeric: tabular-nums; }
table.qa-compare td, table.qa-compare th { vertical-align: top; }
tr.qa-agree th { color: #15803d; }
tr.qa-differ th { color: #b45309; }
.qa-compare-q { font-weight: 600; margin-bottom: 0.4rem; }
tr.qa-indexed .qa-status { color: #15803d; font-weight: 600; }
tr.qa-error .qa-status { color: #b91c1c; font-weight: 600; }
"""
