// The ledger editor: Enter submits a box marked data-enter-submits (Shift+Enter for a new line). While an
// input method is composing (拼音), Enter picks the characters and must not submit.
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-enter-submits") || !box.form) return;
  event.preventDefault();
  box.form.requestSubmit();
});
