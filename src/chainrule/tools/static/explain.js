// chainrule explain: step forward through the primal trace, then backward through the adjoint trace.
// Each step lights its node, its edges and its table row; rows already done stay readable, later ones grey.
(function () {
  "use strict";
  var steps = JSON.parse(document.getElementById("cr-steps").textContent);
  var graph = document.querySelector(".cr-graph");
  var current = -1;
  var STEPPED = "table[data-table=primal] tbody tr, table[data-table=adjoint] tbody tr";  // the rows steps visit

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }
  function mark(id, on) {
    var el = id && document.getElementById(id);
    if (el) { el.classList.toggle("cr-on", on); }
  }

  function show(k) {
    current = Math.max(-1, Math.min(steps.length - 1, k));
    each(".cr-on", function (el) { el.classList.remove("cr-on"); });
    each(STEPPED, function (tr) { tr.classList.remove("cr-done"); tr.classList.add("cr-todo"); });
    for (var i = 0; i <= current; i++) {
      var done = document.getElementById(steps[i].row);
      if (done) { done.classList.remove("cr-todo"); done.classList.add("cr-done"); }
    }
    document.getElementById("cr-counter").textContent = "step " + (current + 1) + " of " + steps.length;
    if (current < 0) {
      each(STEPPED, function (tr) { tr.classList.remove("cr-todo"); });
      document.getElementById("cr-text").textContent = "";
      document.getElementById("cr-value").textContent = "";
      return;
    }
    var s = steps[current];
    mark(s.row, true);
    mark(s.node, true);
    s.edges.forEach(function (e) { mark(e, true); });
    if (graph) { graph.classList.toggle("cr-backward", s.phase === "backward"); }
    document.getElementById("cr-phase").textContent = s.phase === "forward" ? "forward (primal):" : "backward (adjoint):";
    document.getElementById("cr-text").textContent = s.text;
    document.getElementById("cr-value").textContent = "= " + s.value;
  }

  document.getElementById("cr-next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("cr-prev").addEventListener("click", function () { show(current - 1); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight" || ev.key === " ") { show(current + 1); ev.preventDefault(); }
    if (ev.key === "ArrowLeft") { show(current - 1); ev.preventDefault(); }
  });
  window.chainruleExplain = { steps: steps, show: show, current: function () { return current; } };
})();
