// What runs when the shown page is replaced: modules loaded with a page (the charts) register their
// clean-up here, so the shell does not import them (and their libraries) itself.
const hooks: (() => void)[] = [];

/** Runs f each time the shell replaces the page. */
export function onPageChange(f: () => void): void { hooks.push(f); }

/** Called by the shell before it draws another page. */
export function pageChanging(): void { for (const f of hooks) f(); }
