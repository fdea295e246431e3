// Vigie's progressive enhancements. Every screen works without this script.
// Loaded as a module from 'self' (strict Content-Security-Policy: no inline script or style).

// ---------------------------------------------------------------- conditional fields
// A field required only under a condition (`if/then` of the task's JSON Schema) carries
// data-visible-when='[{"field": name, "value": v, "negate": bool}, …]': it shows while one holds.
// A hidden field's inputs are disabled, so what is sent is what is seen.

function currentValue(form, name) {
  const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
  for (const input of inputs) {
    if (input.type === 'radio' || input.type === 'checkbox') {
      if (input.checked) return input.value;
    } else if (input.value !== '') {
      return input.value;
    }
  }
  return null;
}

function holds(form, rule) {
  const value = currentValue(form, rule.field);
  if (value === null) return false;
  return rule.negate ? value !== rule.value : value === rule.value;
}

function refresh(form) {
  for (const element of form.querySelectorAll('[data-visible-when]')) {
    const shown = JSON.parse(element.dataset.visibleWhen).some((rule) => holds(form, rule));
    element.hidden = !shown;
    for (const input of element.querySelectorAll('input, select, textarea, button')) {
      input.disabled = !shown;
    }
  }
}

for (const form of document.querySelectorAll('form')) {
  if (form.querySelector('[data-visible-when]')) {
    refresh(form);
    form.addEventListener('change', () => refresh(form));
  }
}

// ---------------------------------------------------------------- the living diagram
// <div data-diagram-url="…/diagram">: the procedure drawn by the bpmn-js navigated viewer
// (vendored), the elements completed so far and the current steps marked. The URL answers
// {bpmn, completed, current}. The page lists the same steps as text for whoever has no script.

const diagrams = new Map(); // url -> the promise of its JSON: one read per page

function fetchDiagram(url) {
  if (!diagrams.has(url)) {
    diagrams.set(url, fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : null)));
  }
  return diagrams.get(url);
}

async function drawDiagram(container) {
  const Viewer = window.BpmnJS;
  if (!Viewer || container.dataset.state) return;
  container.dataset.state = 'chargement';
  const diagram = await fetchDiagram(container.dataset.diagramUrl);
  if (!diagram) {
    container.dataset.state = 'erreur';
    return;
  }
  const viewer = new Viewer({ container });
  try {
    await viewer.importXML(diagram.bpmn);
  } catch (error) {
    container.dataset.state = 'erreur';
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  for (const [ids, marker] of [[diagram.completed, 'vigie-done'], [diagram.current, 'vigie-current']]) {
    for (const id of ids) {
      if (registry.get(id)) canvas.addMarker(id, marker);
    }
  }
  canvas.zoom('fit-viewport');
  container.dataset.state = 'pret';
}

// A diagram inside a DSFR modal is drawn when the modal opens (it has no size before).
for (const container of document.querySelectorAll('[data-diagram-url]')) {
  const modal = container.closest('dialog.fr-modal');
  if (modal) {
    modal.addEventListener('dsfr.disclose', () => drawDiagram(container));
  } else {
    drawDiagram(container);
  }
}
