// Dashboards: sort a table on any column by clicking its header (numbers numerically, text in Chinese order).
// Kept out of the templates so a strict Content-Security-Policy (no inline scripts) can apply.
document.addEventListener("DOMContentLoaded", () => {
  const collator = new Intl.Collator("zh-CN");
  const value = (cell) => {
    const raw = (cell.dataset.sort ?? cell.textContent).trim().replace(/[%，,]/g, "");
    const n = Number.parseFloat(raw);
    return raw !== "" && !Number.isNaN(n) && /^-?[\d.]+/.test(raw) ? n : raw;
  };
  document.querySelectorAll("table.dash-sortable").forEach((table) => {
    const headers = table.tHead ? Array.from(table.tHead.rows[table.tHead.rows.length - 1].cells) : [];
    headers.forEach((th, index) => {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      const sort = () => {
        const asc = !th.classList.contains("sorted-asc");
        headers.forEach((h) => h.classList.remove("sorted-asc", "sorted-desc"));
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = value(a.cells[index]);
          const y = value(b.cells[index]);
          let c;
          if (typeof x === "number" && typeof y === "number") c = x - y;
          else if (typeof x === "number") c = -1;
          else if (typeof y === "number") c = 1;
          else c = collator.compare(x, y);
          return asc ? c : -c;
        });
        rows.forEach((row) => body.appendChild(row));
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          sort();
        }
      });
    });
  });
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
