/* Practice mode of the walkthrough: before each asked value is shown, the student types their
 * number; the page answers at once with the grader's verdict (marking.js applying the marking
 * spec: correct, carried and from which answer, mistake and why, imprecise, wrong) and the
 * running score; "Show me" reveals the worked equation. Adds `answer(name, text)`,
 * `verdicts()` and `score()` to window.backvizPage.
 */
(() => {
  'use strict';
  const P = JSON.parse(document.getElementById('backviz-practice').textContent);
  const SPEC = P.spec, W = P.words;
  const asked = new Map(SPEC.asked.map(q => [q.name, q]));
  const answers = {};         // name → text the student typed
  const revealed = new Set(); // names whose value the student asked to see
  let result = { verdicts: {}, total: 0 };
  const maximum = SPEC.asked.reduce((sum, q) => sum + q.marks, 0);

  const box = document.createElement('form');
  box.id = 'practice';
  box.autocomplete = 'off';
  box.innerHTML =
    '<label><span id="practice-name"></span> = <input id="practice-input" inputmode="decimal"' +
    ' spellcheck="false"></label> <button type="submit" id="practice-check"></button>' +
    ' <button type="button" id="practice-show"></button>' +
    '<div id="practice-verdict" aria-live="polite"></div><div id="practice-score"></div>';
  document.getElementById('formula').after(box);
  const editing = document.getElementById('edit');
  if (editing) editing.hidden = true; // the spec's right values are the exercise's own
  const $ = id => document.getElementById(id);
  $('practice-check').textContent = W.check;
  $('practice-show').textContent = W.show;

  const open = name => asked.has(name) && !(name in answers) && !revealed.has(name);

  /** Hide what the student is to find: on the diagram every asked value not yet answered or
   *  revealed; in the current equation its value. */
  function cover() {
    const svg = document.querySelector('#diagram svg');
    if (svg) {
      for (const text of svg.querySelectorAll('text[data-q]')) {
        text.classList.toggle('practice-hidden', open(text.dataset.q));
      }
    }
    const current = window.backvizPage.current();
    const hide = current !== null && open(current.name);
    document.querySelectorAll('#formula .part').forEach(part => {
      const value = part.querySelector('.term.now.number');
      part.classList.toggle('practice-hidden', hide && value !== null);
    });
    box.hidden = current === null || !asked.has(current.name);
    if (current !== null && asked.has(current.name)) {
      $('practice-name').textContent = current.name;
      $('practice-input').value = answers[current.name] || '';
      show(current.name);
    }
  }

  function show(name) {
    const verdict = result.verdicts[name];
    const target = $('practice-verdict');
    if (!(name in answers) || !verdict) {
      target.textContent = revealed.has(name) ? W.revealed : '';
      target.className = '';
    } else {
      const word = W.verdicts[verdict.verdict.split(':')[0]] || verdict.verdict;
      const mistake = verdict.verdict.startsWith('mistake:') ? ' (' + verdict.verdict.slice(8) + ')' : '';
      target.textContent = word + mistake + (verdict.detail ? ': ' + verdict.detail : '');
      target.className = 'verdict-' + verdict.verdict.split(':')[0];
    }
    const marks = Math.round(result.total * 100) / 100;
    $('practice-score').textContent = W.score.replace('{marks}', marks).replace('{max}', maximum);
  }

  /** The student's answer to a quantity: its verdict as the grader gives it. */
  function answer(name, text) {
    if (!asked.has(name)) throw new Error('not asked on this sheet: ' + name);
    if (String(text).trim() === '') delete answers[name];
    else answers[name] = String(text);
    result = BackvizMarking.grade(SPEC, answers, P.lang);
    cover();
    return result.verdicts[name];
  }

  box.addEventListener('submit', e => {
    e.preventDefault();
    const current = window.backvizPage.current();
    if (current !== null) answer(current.name, $('practice-input').value);
  });
  $('practice-show').addEventListener('click', () => {
    const current = window.backvizPage.current();
    if (current !== null) { revealed.add(current.name); cover(); }
  });
  $('practice-input').addEventListener('keydown', e => e.stopPropagation()); // arrows edit
  document.addEventListener('backviz:slide', cover);

  Object.assign(window.backvizPage, {
    answer,
    /** Every asked quantity's verdict so far ({name: {verdict, marks, detail}}). */
    verdicts: () => JSON.parse(JSON.stringify(result.verdicts)),
    /** The marks so far and the most there are. */
    score: () => ({ marks: result.total, max: maximum }),
    /** Show a quantity's value without answering it. */
    reveal: name => { revealed.add(name); cover(); },
  });
  result = BackvizMarking.grade(SPEC, answers, P.lang);
  cover();
})();
