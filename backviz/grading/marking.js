// backviz's rules of marks for one student, applied to a marking spec (grading/spec.py): the
// same rules as the grader (grading/verdicts.py, README "How marks are given"), for a page.
// tests/test_marking_js.py pins it, and grading/marking.py (the same rules in plain Python,
// for systems without backviz), to `backviz grade`'s verdicts on a shared corpus of sheets.
// Floating point: both sides evaluate the spec's expressions in IEEE double; JavaScript's
// Math.exp and numpy's exp may differ in the last bit, so a value within 1e-12 of a unit's
// boundary can fall either side (no sheet of the corpus does).
const BackvizMarking = (() => {
  "use strict";
  const DASHES = /[\u2212\u2010\u2011\u2012\u2013]/g;
  const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
  const FRACTION = /^([+-]?)([0-9]+)\/([0-9]+)$/;
  const WORDS = {
    en: {
      yours: (n, t) => `your ${n} = ${t}`,
      carried: (s) => `from ${s}`,
      zero: "0 says nothing here: the right value is not 0 to the decimals you wrote",
      zero_places: (v, p) =>
        `0 says nothing here: the right value is ${v}, not 0 to the ${p} decimal(s) you write elsewhere; is a term left out?`,
      not_updated: (s) => `the old value, not updated: the update changes it by ${s}`,
      trivial: (s) => `follows from ${s}, but a zero there makes this trivial: no carried credit`,
      placeholder: (c) =>
        `the same number is written for ${c} quantities: a placeholder earns nothing`,
      imprecise: (d) => `right, but too coarse: write at least ${d} decimal(s)`,
      nought: (d) => `a 0, right only to the decimals written: it earns nothing; write at least ${d} decimal(s)`,
      unchanged: (d) => `the old value, right only to the decimals written: it earns nothing; write at least ${d} decimal(s)`,
      lookalike: (n) => `this is the value of ${n}: a mislabelled answer?`,
      float32: (v) =>
        `float32's value: right to float32's precision (about 7 significant figures), as torch computes by default; this exercise's numbers are float64 (${v})`,
      unreadable: "not a number",
    },
    ko: {
      yours: (n, t) => `내 답 ${n} = ${t}`,
      carried: (s) => `${s}에서 이어받음`,
      zero: "0은 아무 정보도 주지 않는다: 쓴 자릿수에서 정답은 0이 아니다",
      zero_places: (v, p) =>
        `0은 아무 정보도 주지 않는다: 정답은 ${v}이고, 다른 답에 쓴 소수점 아래 ${p}자리에서는 0이 아니다; 빠뜨린 항이 있나?`,
      not_updated: (s) => `갱신하지 않은 원래 값이다: 갱신하면 ${s}만큼 바뀐다`,
      trivial: (s) => `${s}에서 나오지만, 그 0이 이 계산을 무의미하게 만든다: 이어받은 점수 없음`,
      placeholder: (c) => `같은 수를 ${c}개 항목에 썼다: 자리 채우기 값은 점수가 없다`,
      imprecise: (d) => `맞지만 너무 거칠다: 소수점 아래 ${d}자리 이상 쓸 것`,
      nought: (d) => `쓴 자릿수에서만 맞는 0이다: 점수가 없다; 소수점 아래 ${d}자리 이상 쓸 것`,
      unchanged: (d) => `쓴 자릿수에서만 맞는 원래 값이다: 점수가 없다; 소수점 아래 ${d}자리 이상 쓸 것`,
      lookalike: (n) => `${n}의 값이다: 이름을 잘못 붙였나?`,
      float32: (v) =>
        `float32의 값이다: float32의 정밀도(유효숫자 약 7자리)에서는 맞다 (torch의 기본 자료형); 이 연습의 수는 float64다 (${v})`,
      unreadable: "수가 아니다",
    },
  };

  /** A number as people write it (grading/sheets/numbers.py): {value, decimals} or null. */
  function parseNumber(text) {
    let s = String(text).normalize("NFKC").replace(DASHES, "-").trim();
    s = s.replace(/^[≈~≒≃ \t]+/, "").replace(/(?:\.\.\.|…)$/, "");
    s = s.replace(/\s*([/%])\s*/g, "$1").replace(/^([+-])\s+/, "$1");
    if (!s || s.length > 100 || s.includes(",")) return null;
    const fraction = FRACTION.exec(s);
    if (fraction) {
      const den = Number(fraction[3]);
      if (den === 0) return null;
      const value = (fraction[1] === "-" ? -1 : 1) * (Number(fraction[2]) / den);
      return Number.isFinite(value) ? { value, decimals: -1 } : null;
    }
    const percent = s.endsWith("%");
    const m = DECIMAL.exec(percent ? s.slice(0, -1) : s);
    if (!m || !(m[2] || m[3])) return null;
    const exponent = Number(m[4] || 0);
    if (Math.abs(exponent) > 400) return null;
    const mantissa = `${m[1]}${m[2] || "0"}.${m[3] || "0"}`;
    const value = Number(`${mantissa}e${exponent - (percent ? 2 : 0)}`);
    if (!Number.isFinite(value)) return null;
    const places = (m[3] || "").length - exponent + (percent ? 2 : 0);
    return { value, decimals: Math.max(places, 0) };
  }

  const slack = (x) => 1e-12 * Math.max(1, Math.abs(x));
  /** A number as backviz shows it (core/notation.py's format_number, 8 decimals). */
  const number = (x) => {
    const m = Math.abs(x);
    if (m !== 0 && (m < 1e-6 || m >= 1e12)) return x.toExponential(6);
    const text = x.toFixed(8);
    return text === "-0.00000000" ? "0.00000000" : text;
  };
  const unitOf = (decimals, step, exact) =>
    decimals >= 0 ? Math.pow(10, -decimals) : exact * Math.abs(step) + 1e-12;
  const decimalsNeeded = (step, significant) =>
    Math.max(0, -Math.floor(Math.log10(Math.abs(step))) + significant - 1);

  function meetsFloor(value, decimals, reference, step, significant) {
    if (step === 0 || !Number.isFinite(step)) return true;
    const needed = Math.pow(10, Math.floor(Math.log10(Math.abs(step))) - significant + 1);
    const exact = Math.abs(value - reference) <= slack(reference);
    return decimals < 0 || exact || Math.pow(10, -decimals) <= needed * (1 + 1e-9);
  }

  /** float32's rounding of the right value is within the least precision asked. */
  function float32MeetsFloor(reference, step, significant) {
    if (step === 0 || !Number.isFinite(step)) return true;
    const needed = Math.pow(10, Math.floor(Math.log10(Math.abs(step))) - significant + 1);
    return Math.abs(Math.fround(reference) - reference) <= needed * (1 + 1e-9);
  }

  /** Rounding (by up to u/2) or truncating toward zero (by less than u: that side's bound is
   * open) a number in [lo, hi], give or take u for each unasked term summed. */
  function inside(value, lo, hi, u, terms) {
    if (Number.isNaN(lo) || Number.isNaN(hi)) return false;
    const truncatesBelow = lo >= 0 || !(hi <= 0);
    const truncatesAbove = hi <= 0 || !(lo >= 0);
    const below = (truncatesBelow ? u : u / 2) + terms * u;
    const above = (truncatesAbove ? u : u / 2) + terms * u;
    const fuzz = slack(Math.max(Math.abs(lo), Math.abs(hi)));
    const whole = u > 2 * fuzz; // a unit above float64's noise: a whole unit off is no truncation
    const lower =
      truncatesBelow && whole ? value > lo - below + fuzz : value >= lo - below - fuzz;
    const upper =
      truncatesAbove && whole ? value < hi + above - fuzz : value <= hi + above + fuzz;
    return lower && upper;
  }

  function evaluate(formula, values) {
    const v = values, S = formula.settings; // eslint-disable-line no-unused-vars
    return Number(eval(formula.javascript)); // the spec's expression, printed by backviz
  }

  /** The least and greatest value of a formula over a box of input intervals. */
  function formulaRange(formula, boxes, own) {
    const varying = boxes.map((b, i) => (b[0] !== b[1] ? i : -1)).filter((i) => i >= 0);
    let lo = Infinity, hi = -Infinity;
    const include = (x) => {
      if (!Number.isNaN(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    };
    if (varying.length <= 8) {
      for (let corner = 0; corner < 1 << varying.length; corner++) {
        const point = boxes.map((b) => b[0]);
        varying.forEach((i, bit) => { point[i] = boxes[i][(corner >> bit) & 1]; });
        include(evaluate(formula, point));
      }
    } else {
      const middle = boxes.map((b) => (b[0] + b[1]) / 2);
      const centre = evaluate(formula, middle);
      let spread = 0;
      for (const i of varying) {
        const up = middle.slice(), down = middle.slice();
        up[i] = boxes[i][1]; down[i] = boxes[i][0];
        spread += Math.abs(evaluate(formula, up) - evaluate(formula, down)) / 2;
      }
      include(evaluate(formula, boxes.map((b) => b[0])));
      include(evaluate(formula, boxes.map((b) => b[1])));
      if (own) include(evaluate(formula, own));
      include(centre - spread);
      include(centre + spread);
    }
    return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [NaN, NaN];
  }

  /**
   * Every asked quantity's verdict for one student: `answers` maps names to what they wrote.
   * Returns {name: {verdict, marks, detail}} in the spec's order, and the total.
   */
  function grade(spec, answers, lang) {
    const words = WORDS[lang] || WORDS.en;
    const quantities = {};
    for (const q of spec.asked) quantities[q.name] = q;
    const helpers = spec.helpers;
    const state = {}; // name -> {right, spread, value, text}
    const result = {};
    const written = {};
    let places = -1; // the most decimals the sheet writes: rule 1 reads a 0 against it
    for (const q of spec.asked) {
      const text = answers[q.name] === undefined ? "" : String(answers[q.name]).trim();
      written[q.name] = text ? parseNumber(text) : null;
      if (written[q.name] && written[q.name].decimals >= 0) {
        places = Math.max(places, written[q.name].decimals);
      }
    }

    function input(name, own, sources, depth) {
      if (name in quantities) {
        const s = state[name], q = quantities[name];
        if (!s || s.value === null) return { box: [q.value, q.value], mine: q.value, wrong: false };
        if (s.right) {
          return { box: [Math.min(s.value, q.value), Math.max(s.value, q.value)], mine: s.value, wrong: false };
        }
        if (!own) return { box: [q.value, q.value], mine: q.value, wrong: false };
        sources.push(words.yours(name, s.text));
        return { box: [s.value - s.spread, s.value + s.spread], mine: s.value, wrong: true };
      }
      const helper = helpers[name];
      if (name in spec.given && !helper) {  // a helper too when reached nearer: followed
        const x = spec.given[name];
        return { box: [x, x], mine: x, wrong: false };
      }
      if (!helper || !helper.formula || depth >= 2) {
        const x = helper ? helper.value : NaN;
        return { box: [x, x], mine: x, wrong: false };
      }
      const parts = helper.formula.inputs.map((n) => input(n, own, sources, depth + 1));
      const mine = parts.map((p) => p.mine);
      const box = formulaRange(helper.formula, parts.map((p) => p.box), mine);
      const point = evaluate(helper.formula, mine);
      return { box, mine: point, wrong: parts.some((p) => p.wrong) };
    }

    for (const q of spec.asked) {
      const text = answers[q.name] === undefined ? "" : String(answers[q.name]).trim();
      const read = written[q.name];
      if (!read) {
        state[q.name] = { right: false, spread: 0, value: null, text };
        result[q.name] = { verdict: text ? "unreadable" : "missing", marks: 0, detail: text ? words.unreadable : "" };
        continue;
      }
      const value = read.value, reference = q.value, base = q.base, step = reference - base;
      const u = unitOf(read.decimals, step, spec.exact);
      let rights = [reference, reference], owns = null, hasWrong = false;
      const sources = [], owned = [];
      if (q.formula) {
        const right = q.formula.inputs.map((n) => input(n, false, [], 0));
        const mine = q.formula.inputs.map((n) => {
          const p = input(n, true, sources, 0);
          owned.push(p);
          return p;
        });
        rights = formulaRange(q.formula, right.map((p) => p.box));
        hasWrong = mine.some((p) => p.wrong);
        if (hasWrong) owns = formulaRange(q.formula, mine.map((p) => p.box), mine.map((p) => p.mine));
      }
      const withinRight = inside(value, rights[0], rights[1], u, q.terms);
      const withinOwn = owns !== null && hasWrong && inside(value, owns[0], owns[1], u, q.terms);
      let nought = Math.abs(value - base) <= slack(base) && step !== 0;
      const fine = places >= 0 ? Math.min(u, Math.pow(10, -places)) : u;
      let zero = nought && Math.abs(step) >= fine;
      const coarse = zero && Math.abs(step) < u; // 0 only to its own decimals: a term left out?
      if (base) {
        const writtenZero = value === 0 && reference !== 0;
        zero = zero || (writtenZero && Math.abs(reference) >= fine);
        nought = nought || writtenZero;
      }
      let floor = meetsFloor(value, read.decimals, reference, step, spec.significant);
      let right = !zero && withinRight;
      // float32's value (the right value rounded through float32, to the decimals written)
      const single = Math.fround(reference);
      const float32 = !zero && !right && single !== reference && Number.isFinite(single) &&
        read.decimals >= 0 &&
        Math.abs(value - single) <= 0.5 * Math.pow(10, -read.decimals) + slack(single);
      if (float32) {
        right = true;
        floor = float32MeetsFloor(reference, step, spec.significant);
      }
      const carried = !zero && !right && withinOwn;
      const echo = carried && owned.every((p) => !p.wrong || p.mine === value);
      let verdict, marks = 0, detail = "";
      if ((right || carried) && floor) {
        verdict = right ? "correct" : "carried";
        marks = right ? q.marks : spec.carried_credit * q.marks;
        if (carried) detail = words.carried(sources.join(", "));
      } else if (right || carried) {
        verdict = "imprecise";
        marks = nought ? 0 : spec.imprecise_credit * q.marks;
        const needed = decimalsNeeded(step, spec.significant);
        detail = !nought ? words.imprecise(needed)
          : value !== 0 ? words.unchanged(needed) : words.nought(needed);
      } else {
        verdict = "wrong";
        if (!zero && floor) {
          for (const m of q.mistakes) {
            if (Math.abs(m.value - reference) <= 1e-12 * Math.abs(reference)) continue;
            const band = u * (1 + q.terms) + slack(m.value);
            if (Math.abs(value - m.value) <= band && Math.abs(m.value - reference) > band) {
              verdict = `mistake:${m.id}`;
              marks = m.credit * q.marks;
              detail = m.explanation[lang] || m.explanation.en;
              break;
            }
          }
        }
        if (verdict === "wrong") {
          if (zero) {
            if (withinOwn) detail = words.trivial(sources.join(", "));
            else if (base && value !== 0) detail = words.not_updated(step);
            else if (coarse) detail = words.zero_places(number(reference), places);
            else detail = words.zero;
          } else {
            const half = read.decimals >= 0 ? 0.5 * Math.pow(10, -read.decimals) : 0;
            const near = (target) => read.decimals >= 0
              ? Math.abs(value - target) <= half + slack(target)
              : Math.abs(value - target) <= 1e-4 * Math.abs(target);
            // no mislabelling suggested where a catalogued mistake's number is the answer
            const explained = q.mistakes.some((m) => near(m.value));
            for (const other of explained ? [] : spec.asked) {
              if (other.name === q.name) continue;
              if (near(other.value)) { detail = words.lookalike(other.name); break; }
            }
          }
        }
      }
      if (float32) detail = words.float32(number(reference));
      state[q.name] = { right: right && floor, spread: floor ? u : 0, value, text, echo };
      result[q.name] = { verdict, marks, detail, value, decimals: read.decimals };
    }
    placeholders(spec, result, state, words);
    let total = 0;
    for (const q of spec.asked) total += result[q.name].marks;
    return { verdicts: result, total };
  }

  /** One number across a quarter of the sheet and several kinds, mostly unexplained. */
  function placeholders(spec, result, state, words) {
    const cells = spec.asked.filter((q) => state[q.name].value !== null);
    if (cells.length < spec.placeholder_cells) return;
    const explained = (q) => {
      const r = result[q.name], s = state[q.name];
      if (s.value === 0) return r.verdict === "correct"; // a 0: right only by rule 1
      const u = unitOf(r.decimals, q.value - q.base, spec.exact);
      return r.verdict === "correct" || r.verdict.startsWith("mistake:") ||
        (r.verdict === "carried" && !s.echo) || inside(s.value, q.value, q.value, u, 0);
    };
    const enough = Math.max(spec.placeholder_cells, spec.placeholder_share * cells.length);
    const wasExplained = {};
    for (const q of cells) wasExplained[q.name] = explained(q); // before any is overruled
    for (const q of cells) {
      const value = state[q.name].value;
      const same = cells.filter((o) => state[o.name].value === value);
      const rightly = same.filter((o) => wasExplained[o.name]).length;
      const kinds = new Set(same.map((o) => o.group));
      if (value === 0 && result[q.name].marks === 0) continue; // rule 1's own reason stays
      if (same.length >= enough && 2 * rightly < same.length && kinds.size > 1) {
        result[q.name] = { ...result[q.name], verdict: "wrong", marks: 0, detail: words.placeholder(same.length) };
      }
    }
  }

  return { grade, parseNumber };
})();
