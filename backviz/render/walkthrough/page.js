/* The backviz walkthrough: one slide per equation of the worked solution.
 *
 * The data (#backviz-data, see render/walkthrough/page.py) holds the slides, every quantity's
 * value, the slide from which it is shown and the diagram elements it lives on. Each diagram
 * (one per step and sample) waits in a <template> until it is first shown. The page is driven
 * by the buttons, the keys, the step list, and window.backvizPage (documented in the README).
 */
'use strict';

const DATA = JSON.parse(document.getElementById('backviz-data').textContent);
const SLIDES = DATA.slides;
const QUANTITIES = DATA.quantities;
const SEPARATOR = '|';
const LEGIBLE = 0.75;  // px per diagram unit (a Graphviz point): below, the whole is too small
const READABLE = 1.0;  // the scale then shown around the current element
// view: the diagram's viewBox {x, y, w, h} and scale s (px per unit); fitted: whole, until the
// reader zooms or pans
const state = { index: 0, sample: null, showAll: false, view: null, fitted: false, key: null };
const byId = id => document.getElementById(id);

/* ---- diagrams ------------------------------------------------------------------------- */

const instantiated = new Map();  // key → its <svg>, made from its template once

function svgOf(key) {
  if (!instantiated.has(key)) {
    const template = byId('diagram-' + key);
    const svg = document.importNode(template.content, true).querySelector('svg');
    const [x, y, w, h] = svg.getAttribute('viewBox').split(/[\s,]+/).map(Number);
    svg.dataset.box = JSON.stringify({ x, y, w, h });
    instantiated.set(key, svg);
  }
  return instantiated.get(key);
}

function currentSvg() {
  return byId('diagram').querySelector('svg');
}

function diagramKey(slide) {
  if (!slide) return Object.keys(DATA.diagrams)[0];
  if (state.sample === null) return slide.diagram;
  const step = DATA.diagrams[slide.diagram].step;
  const key = Object.keys(DATA.diagrams).find(k =>
    DATA.diagrams[k].step === step && DATA.diagrams[k].sample === state.sample);
  return key || slide.diagram;
}

function showDiagram(key) {
  const svg = svgOf(key);
  if (state.key !== key) {
    byId('diagram').replaceChildren(svg);
    state.key = key;
  }
  document.querySelectorAll('#samples button').forEach(b =>
    b.classList.toggle('current', Number(b.dataset.sample) === DATA.diagrams[key].sample));
  return svg;
}

function elementsOf(svg, ids) {
  return ids.map(id => svg.querySelector('[id="' + CSS.escape(id) + '"]')).filter(Boolean);
}

const textsByName = new WeakMap();  // svg → (name → its value texts)

function valueTexts(svg, name) {
  if (!textsByName.has(svg)) {
    const index = new Map();
    for (const t of svg.querySelectorAll('text[data-q]')) {
      if (!index.has(t.dataset.q)) index.set(t.dataset.q, []);
      index.get(t.dataset.q).push(t);
    }
    textsByName.set(svg, index);
  }
  return textsByName.get(svg).get(name) || [];
}

/* ---- reveal: values computed after the current slide are blank ------------------------ */

function reveal(svg) {
  for (const text of svg.querySelectorAll('text[data-q]')) {
    const q = QUANTITIES[text.dataset.q];
    text.classList.toggle('later', !state.showAll && !!q && q.shown > state.index);
  }
}

/* ---- highlight: the quantity (now) and what its formula reads (reads); returns the
 * quantity's own elements ------------------------------------------------------------------ */

function highlight(svg, slide) {
  svg.querySelectorAll('.now, .reads').forEach(e => e.classList.remove('now', 'reads'));
  if (!slide) return [];
  const own = elementsOf(svg, QUANTITIES[slide.q].at);
  own.forEach(e => e.classList.add('now'));
  elementsOf(svg, slide.lit).forEach(e => e.classList.add('reads'));
  valueTexts(svg, slide.q).forEach(e => e.classList.add('now'));
  slide.values.forEach(name => valueTexts(svg, name).forEach(e => e.classList.add('reads')));
  return own;
}

/* ---- linking: hovering a term marks its elements, hovering an element its terms -------- */

function clearHover() {
  document.querySelectorAll('.hover').forEach(e => e.classList.remove('hover'));
}

function hover(names) {
  clearHover();
  const svg = currentSvg();
  for (const term of byId('formula').querySelectorAll('.term[data-q]')) {
    if (term.dataset.q.split(SEPARATOR).some(n => names.includes(n))) term.classList.add('hover');
  }
  if (!svg) return;
  for (const name of names) {
    const q = QUANTITIES[name];
    if (q) elementsOf(svg, q.at.slice(0, 1)).forEach(e => e.classList.add('hover'));
    valueTexts(svg, name).forEach(e => e.classList.add('hover'));
  }
}

function namesAt(target) {
  const text = target.closest('text[data-q]');
  if (text) return [text.dataset.q];
  const group = target.closest('g.node, g.edge');
  const slide = SLIDES[state.index];
  if (!group || !slide) return [];
  return [slide.q, ...slide.reads].filter(n => QUANTITIES[n] && QUANTITIES[n].at[0] === group.id);
}

/* ---- zoom and pan: the svg's viewBox, kept to the box's proportions ------------------- */

function boxSize() {
  const r = byId('diagram').getBoundingClientRect();
  return { cw: Math.max(r.width, 1), ch: Math.max(r.height, 1) };
}

function applyView() {
  const svg = currentSvg();
  const v = state.view;
  if (svg && v) svg.setAttribute('viewBox', [v.x, v.y, v.w, v.h].join(' '));
}

function scale() {
  return state.view.s;  // px per diagram unit
}

function setView(s, cx, cy) {
  const { cw, ch } = boxSize();
  const w = cw / s, h = ch / s;
  state.view = { x: cx - w / 2, y: cy - h / 2, w, h, s };
  state.fitted = false;
  applyView();
}

/* The whole diagram again, or the same scale and centre, in a box that changed size (the
 * window, a longer equation) or for another diagram. */
function keepView() {
  if (state.fitted) return fit();
  const v = state.view;
  setView(v.s, v.x + v.w / 2, v.y + v.h / 2);
}

function fitScale() {
  const box = JSON.parse(currentSvg().dataset.box);
  const { cw, ch } = boxSize();
  return Math.min(cw / box.w, ch / box.h);
}

function fit() {
  const box = JSON.parse(currentSvg().dataset.box);
  setView(fitScale(), box.x + box.w / 2, box.y + box.h / 2);
  state.fitted = true;
}

function zoomAt(factor, clientX, clientY) {
  if (!state.view) return;
  const r = byId('diagram').getBoundingClientRect();
  const v = state.view;
  const px = clientX === undefined ? r.width / 2 : clientX - r.left;
  const py = clientY === undefined ? r.height / 2 : clientY - r.top;
  const s = Math.min(Math.max(scale() * factor, fitScale() / 2), 12);
  const ux = v.x + px / scale(), uy = v.y + py / scale();  // the point under the pointer stays
  const { cw, ch } = boxSize();
  state.view = { x: ux - px / s, y: uy - py / s, w: cw / s, h: ch / s, s };
  state.fitted = false;
  applyView();
}

function panBy(dxPixels, dyPixels) {
  const s = scale();
  state.view.x -= dxPixels / s;
  state.view.y -= dyPixels / s;
  state.fitted = false;
  applyView();
}

/* Bring the current element into the box, centred on it when any part lies outside: its
 * value and its node (or edge) when they fit together, else its value alone, else its first
 * element (a long edge or a path may be bigger than the box). */
function follow(svg, slide, own) {
  if (!state.view || state.fitted || !slide) return;
  const box = byId('diagram').getBoundingClientRect();
  const margin = 12;
  const texts = valueTexts(svg, slide.q);
  const union = elements => {
    const rects = elements.map(e => e.getBoundingClientRect());
    return {
      left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right)),
      top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom)),
    };
  };
  const fits = r => r.right - r.left <= box.width - 2 * margin &&
    r.bottom - r.top <= box.height - 2 * margin;
  const choices = [[...texts, ...own], texts, own.slice(0, 1)].filter(c => c.length);
  if (!choices.length) return;
  const target = union(choices.find(c => fits(union(c))) || choices[choices.length - 1]);
  const inside = target.left >= box.left + margin && target.right <= box.right - margin &&
    target.top >= box.top + margin && target.bottom <= box.bottom - margin;
  if (inside) return;
  panBy(box.left + box.width / 2 - (target.left + target.right) / 2,
    box.top + box.height / 2 - (target.top + target.bottom) / 2);
}

/* The first view: the whole diagram when it is readable so, else readable around `elements`. */
function initialView(svg, slide, own) {
  fit();
  if (fitScale() >= LEGIBLE) return;
  const box = JSON.parse(svg.dataset.box);
  setView(READABLE, box.x + box.w / 2, box.y + box.h / 2);
  follow(svg, slide, own);
}

/* ---- the slide ------------------------------------------------------------------------ */

function render() {
  const slide = SLIDES[state.index];
  // the equation first: its height decides the diagram's box
  byId('formula').innerHTML = slide ? slide.math : '<span class="note"></span>';
  if (!slide) byId('formula').firstChild.textContent = DATA.note;
  byId('position').textContent = slide ? slide.where : '';
  byId('section').textContent = slide ? slide.section : '';
  const svg = showDiagram(diagramKey(slide));
  if (state.view !== null) keepView();
  reveal(svg);
  const own = highlight(svg, slide);
  if (state.view === null) initialView(svg, slide, own);
  else follow(svg, slide, own);
  document.querySelectorAll('nav li[data-i]').forEach(li => {
    const i = Number(li.dataset.i);
    li.classList.toggle('current', i === state.index);
    li.classList.toggle('done', i < state.index);
  });
  const item = document.querySelector('nav li[data-i="' + state.index + '"]');
  if (item) item.scrollIntoView({ block: 'nearest' });
  byId('counter').textContent = SLIDES.length ? (state.index + 1) + ' / ' + SLIDES.length : '';
  byId('prev').disabled = state.index === 0;
  byId('next').disabled = state.index >= SLIDES.length - 1;
  document.dispatchEvent(new CustomEvent('backviz:slide', { detail: page.current() }));
}

function go(index) {
  state.index = Math.max(0, Math.min(SLIDES.length - 1, index));
  state.sample = null;  // each slide shows its own sample's diagram
  render();
}

/* ---- the API a test or a course site drives the page with ------------------------------ */

let normalised = null;  // names without spaces, lower case → name

function lookup(name) {
  if (name in QUANTITIES) return name;
  if (normalised === null) {
    normalised = {};
    for (const n of Object.keys(QUANTITIES)) normalised[n.replace(/\s+/g, '').toLowerCase()] = n;
  }
  return normalised[String(name).replace(/\s+/g, '').toLowerCase()];
}

const page = {
  /** The number of slides. */
  get length() { return SLIDES.length; },
  /** Go to slide k (1 … length), or to the slide of the quantity named k; returns current(). */
  step(k) {
    if (typeof k === 'string' && !/^\d+$/.test(k)) {
      const name = lookup(k);
      const i = SLIDES.findIndex(s => s.q === name);
      if (i < 0) throw new Error('no slide computes ' + k);
      go(i);
    } else {
      go(Number(k) - 1);
    }
    return page.current();
  },
  /** The slide shown: its number (1-based), its quantity, value, step, sample and section. */
  current() {
    const slide = SLIDES[state.index];
    if (!slide) return null;
    const shown = DATA.diagrams[state.key];
    return {
      index: state.index + 1, length: SLIDES.length, name: slide.q,
      value: QUANTITIES[slide.q].value, reads: slide.reads.slice(), where: slide.where,
      section: slide.section, step: shown.step, sample: shown.sample,
    };
  },
  /** The value (a number) of a quantity on the page, by name; undefined if there is none. */
  value(name) {
    const found = lookup(name);
    return found === undefined ? undefined : QUANTITIES[found].value;
  },
  /** The names of the quantities on the page, in their order. */
  names() { return Object.keys(QUANTITIES); },
  /** Show every value (true) or only those computed so far (false). */
  showAll(on) {
    state.showAll = !!on;
    byId('show-all').checked = state.showAll;
    if (currentSvg()) reveal(currentSvg());
  },
  /** Look at another sample's diagram of the current step (a batch). */
  sample(n) {
    state.sample = Number(n);
    render();
  },
  zoom(factor) { zoomAt(factor); },
  fit() { fit(); },
};
window.backvizPage = page;

/* ---- controls ------------------------------------------------------------------------- */

byId('prev').addEventListener('click', () => go(state.index - 1));
byId('next').addEventListener('click', () => go(state.index + 1));
byId('show-all').addEventListener('change', e => page.showAll(e.target.checked));
byId('zoom-in').addEventListener('click', () => zoomAt(1.25));
byId('zoom-out').addEventListener('click', () => zoomAt(0.8));
byId('zoom-fit').addEventListener('click', fit);
document.querySelectorAll('#samples button').forEach(b =>
  b.addEventListener('click', () => page.sample(b.dataset.sample)));
document.querySelectorAll('nav li[data-i]').forEach(li =>
  li.addEventListener('click', () => go(Number(li.dataset.i))));
document.addEventListener('keydown', e => {
  if (e.target.closest && e.target.closest('input, textarea, select')) return;
  const keys = {
    ArrowRight: () => go(state.index + 1), PageDown: () => go(state.index + 1),
    ArrowLeft: () => go(state.index - 1), PageUp: () => go(state.index - 1),
    Home: () => go(0), End: () => go(SLIDES.length - 1),
    '+': () => zoomAt(1.25), '=': () => zoomAt(1.25), '-': () => zoomAt(0.8), '0': fit,
  };
  if (keys[e.key]) { keys[e.key](); e.preventDefault(); }
});

const diagramBox = byId('diagram');
diagramBox.addEventListener('wheel', e => {
  e.preventDefault();
  zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY);
}, { passive: false });
let drag = null;
diagramBox.addEventListener('pointerdown', e => {
  if (e.button !== 0) return;
  drag = { x: e.clientX, y: e.clientY };
  diagramBox.setPointerCapture(e.pointerId);
  diagramBox.classList.add('dragging');
});
diagramBox.addEventListener('pointermove', e => {
  if (!drag) return;
  panBy(e.clientX - drag.x, e.clientY - drag.y);
  drag = { x: e.clientX, y: e.clientY };
});
const endDrag = () => { drag = null; diagramBox.classList.remove('dragging'); };
diagramBox.addEventListener('pointerup', endDrag);
diagramBox.addEventListener('pointercancel', endDrag);
diagramBox.addEventListener('mouseover', e => { if (!drag) hover(namesAt(e.target)); });
diagramBox.addEventListener('mouseleave', clearHover);
byId('formula').addEventListener('mouseover', e => {
  const term = e.target.closest('.term[data-q]');
  if (term) hover(term.dataset.q.split(SEPARATOR)); else clearHover();
});
byId('formula').addEventListener('mouseleave', clearHover);
new ResizeObserver(() => { if (state.view) keepView(); }).observe(diagramBox);

if (!SLIDES.length) page.showAll(true);  // a summary page: the diagram with every value
render();
performance.mark('backviz:first-slide');  // how long the page took to show its first slide
