/* Edit and recompute: a given number (an input, a target, a weight, a bias) or the learning
 * rate changed in the "Edit the given numbers" panel recomputes every number on the page — the
 * diagrams, the equations, backvizPage.value — from the exercise's own formulas (the program
 * of render/program.py, run by runProgram); "Download exercise" saves the edited exercise as
 * TOML that backviz loads. Adds set(name, number) and reset() to window.backvizPage.
 */
(() => {
  'use strict';
  const EDIT = DATA.edit;
  if (!EDIT) return;
  const original = Object.assign({}, EDIT.program.given, EDIT.program.settings);
  const edited = {};  // name → number
  const computedDecimals = DATA.decimals;

  function formatNumber(x, given) {
    if (!Number.isFinite(x)) return String(x);
    if (given) return Number.isInteger(x) ? String(x) : String(x);
    const m = Math.abs(x);
    if (m !== 0 && (m < Math.pow(10, -computedDecimals) * 100 || m >= 1e12)) {
      return x.toExponential(Math.max(computedDecimals - 2, 1));
    }
    const text = x.toFixed(computedDecimals);
    return /^-0\.0*$/.test(text) ? text.slice(1) : text;
  }
  // a diagram's number, as render/diagram_numbers.py writes it: fixed decimals (more for a
  // tiny one, to two significant digits), a power of ten only past that, the true minus
  function diagramNumber(x, given) {
    if (!Number.isFinite(x)) return String(x);
    const m = Math.abs(x);
    const power = () => {
      const [mantissa, exponent] = x.toExponential(1).split('e');
      const sup = String(Number(exponent)).replace(/[-0-9]/g, c => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]);
      return (mantissa + '×10' + sup).replace('-', '−');
    };
    if (m >= 1e12) return power();
    if (given && Number.isInteger(x)) return String(x).replace('-', '−');
    let places = computedDecimals;
    if (given) {
      const digits = (String(x).split('.')[1] || '').length;
      if (!String(x).includes('e') && digits <= computedDecimals) return String(x).replace('-', '−');
    }
    if (m !== 0 && Number(m.toFixed(computedDecimals)) === 0) {
      places = 1 - Math.floor(Math.log10(m));
      if (places > 8) return power();  // MAX_DECIMALS
    }
    let text = x.toFixed(places);
    if (Number(text) === 0) text = text.replace('-', '');
    return text.replace('-', '−');
  }
  const isGiven = name => name in EDIT.program.given;
  const shown = (name, x) => formatNumber(x, isGiven(name)).replace('-', '−');

  function recompute() {
    const given = {}, settings = {};
    for (const [name, x] of Object.entries(edited)) {
      if (name in EDIT.program.settings) settings[name] = x; else given[name] = x;
    }
    const values = runProgram(EDIT.program, given, settings);
    for (const [name, q] of Object.entries(QUANTITIES)) {
      if (name in values) q.value = values[name];
    }
    // the diagrams' value texts, drawn or waiting in their templates
    const roots = [...document.querySelectorAll('template')].map(t => t.content);
    roots.push(document);
    for (const root of roots) {
      for (const text of root.querySelectorAll('text[data-q]')) {
        const v = text.querySelector('.v');
        const name = text.dataset.q;
        if (v && name in values) v.textContent = diagramNumber(values[name], isGiven(name));
      }
    }
    renumber(values);
    document.dispatchEvent(new CustomEvent('backviz:edited', { detail: Object.assign({}, edited) }));
  }

  /** The current equation's numbers, each from its quantity. */
  function renumber(values) {
    for (const term of document.querySelectorAll('#formula .term.number[data-q]')) {
      const mn = term.querySelector('mn');
      const name = term.dataset.q.split(SEPARATOR)[0];
      if (mn && name in values) mn.textContent = shown(name, values[name]);
    }
  }

  document.addEventListener('backviz:slide', () => {
    if (Object.keys(edited).length) renumber(runProgram(EDIT.program, givenOf(), settingsOf()));
  });
  const givenOf = () => Object.fromEntries(Object.entries(edited).filter(([n]) => isGiven(n)));
  const settingsOf = () => Object.fromEntries(Object.entries(edited).filter(([n]) => !isGiven(n)));

  function set(name, x) {
    if (!EDIT.editable.includes(name)) throw new Error('not a given number: ' + name);
    const number = Number(x);
    if (!Number.isFinite(number)) throw new Error('not a finite number: ' + x);
    if (number === original[name]) delete edited[name]; else edited[name] = number;
    const input = document.querySelector('#edit input[data-name="' + CSS.escape(name) + '"]');
    if (input && Number(input.value) !== number) input.value = String(number);
    recompute();
    return number;
  }

  function exerciseToml() {
    if (!EDIT.toml) return null;
    let text = EDIT.toml;
    for (const [marker, name] of Object.entries(EDIT.markers)) {
      const x = name in edited ? edited[name] : original[name];
      text = text.split(marker).join(Number.isInteger(x) ? x.toFixed(1) : String(x));
    }
    return text;
  }

  // the panel
  const panel = document.createElement('details');
  panel.id = 'edit';
  const rows = EDIT.editable.map(name =>
    '<label><span></span><input type="number" step="any" data-name=""></label>').join('');
  panel.innerHTML = '<summary></summary><div class="fields">' + rows + '</div>' +
    '<button type="button" id="edit-reset"></button> <button type="button" id="edit-save"></button>';
  panel.querySelector('summary').textContent = DATA.words.edit;
  panel.querySelectorAll('label').forEach((label, i) => {
    const name = EDIT.editable[i];
    label.querySelector('span').textContent = name + ' =';
    const input = label.querySelector('input');
    input.dataset.name = name;
    input.value = String(original[name]);
    input.addEventListener('change', () => {
      if (input.value.trim() !== '' && Number.isFinite(Number(input.value))) set(name, input.value);
    });
    input.addEventListener('keydown', e => e.stopPropagation());
  });
  panel.querySelector('#edit-reset').textContent = DATA.words.reset;
  panel.querySelector('#edit-save').textContent = DATA.words.download;
  panel.querySelector('#edit-save').hidden = !EDIT.toml;
  panel.querySelector('#edit-reset').addEventListener('click', () => page.reset());
  panel.querySelector('#edit-save').addEventListener('click', () => {
    const blob = new Blob([exerciseToml()], { type: 'application/toml' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = (DATA.exercise || 'exercise') + '-edited.toml';
    link.click();
    URL.revokeObjectURL(link.href);
  });
  document.querySelector('nav').append(panel);

  Object.assign(page, {
    /** Change a given number (or the learning rate η) and recompute every number. */
    set,
    /** Back to the exercise's own numbers. */
    reset() {
      for (const name of Object.keys(edited)) delete edited[name];
      panel.querySelectorAll('input').forEach(i => { i.value = String(original[i.dataset.name]); });
      recompute();
    },
    /** The exercise with the edits, as TOML backviz loads (null for an expression). */
    exerciseToml,
  });
})();
