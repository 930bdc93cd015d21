// Tabs after the WAI-ARIA pattern: one tab in the Tab order (the selected one); arrow keys, Home and End
// move between tabs and select as they move; each tab shows its panel and hides the others.
import { el } from "./fields.js";

const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/**
 * A tablist labelled `label` over `items` ({ id, label, panel }); `onSelect(item)` runs when a tab is
 * selected. Returns the tablist node and `select(id)`.
 */
export function tabs(label, items, onSelect = () => {}) {
  const list = el("div", { className: "tabs" });
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-label", label);
  const buttons = items.map((item, i) => {
    const tab = el("button", { type: "button", id: `tab-${item.id}`, textContent: item.label });
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", item.panel.id);
    item.panel.setAttribute("role", "tabpanel");
    item.panel.setAttribute("aria-labelledby", tab.id);
    tab.addEventListener("click", () => choose(i));
    return tab;
  });
  list.append(...buttons);
  function choose(index) {
    buttons.forEach((tab, i) => {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      items[i].panel.hidden = i !== index;
    });
    onSelect(items[index]);
  }
  list.addEventListener("keydown", (event) => {
    const at = buttons.indexOf(event.target);
    if (at < 0) return;
    const n = buttons.length;
    const to = event.key === "Home" ? 0 : event.key === "End" ? n - 1 : event.key in MOVES ? (at + MOVES[event.key] + n) % n : -1;
    if (to < 0) return;
    event.preventDefault();
    choose(to);
    buttons[to].focus();
  });
  choose(0);
  return { node: list, select: (id) => choose(items.findIndex((item) => item.id === id)) };
}
