// The query editor: YASGUI (loaded before this module as the global `Yasgui`) over this
// site's SPARQL endpoint, made to work offline and to open example and shared queries.

const data = JSON.parse(document.getElementById("query-page-data").textContent);
const Yasgui = window.Yasgui;
const endpoint = new URL(data.endpoint, window.location.href).href;

/** A link that opens `query` in this editor. */
export function shareLink(query) {
  const url = new URL(data.editorPath, window.location.href);
  url.searchParams.set("query", query);
  return url.href;
}

/** Switch off everything in YASGUI that would talk to another server or remember state. */
function keepOffline() {
  const { Yasqe, Yasr } = Yasgui;
  const prefixLines = Object.entries(data.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort();
  // Our prefixes, not prefix.cc's; persistenceId null: nothing kept in localStorage.
  Yasqe.forkAutocompleter(
    "prefixes",
    { name: "scograph-prefixes", persistenceId: null, get: () => Promise.resolve(prefixLines) },
    false,
  );
  // In 4.6 the completers in use are read from these defaults when an editor is made (a
  // list given to the constructor is merged into them, not put in their place). The class
  // and property completers ask Linked Open Vocabularies, so they are left out.
  Yasqe.defaults.autocompleters = ["variables", "scograph-prefixes"];
  Yasqe.defaults.prefixCcApi = null;
  Yasqe.defaults.persistenceId = null;
  Yasr.defaults.persistenceId = null;
  // YASGUI's own links carry the endpoint and request settings, so a link could point the
  // editor at any server; ours carry the query only.
  Yasgui.Tab.prototype.getShareableLink = function () {
    return shareLink(this.getQuery());
  };
}

function queryFromHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return params.get("query");
}

function createEditor() {
  keepOffline();
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    // Neither tabs nor a remote endpoint are restored from the URL or from localStorage.
    populateFromUrl: false,
    persistenceId: null,
    autofocus: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
    yasr: { prefixes: data.prefixes },
  });
  const tab = yasgui.getTab();
  tab.setQuery(queryFromHash() ?? data.query);
  return yasgui;
}

function markCurrent(link) {
  for (const other of document.querySelectorAll("[data-example][aria-current]")) {
    other.removeAttribute("aria-current");
  }
  if (link) link.setAttribute("aria-current", "true");
}

function openExamplesInEditor(yasgui) {
  for (const link of document.querySelectorAll("[data-example]")) {
    link.addEventListener("click", (event) => {
      // A click meant for a new tab or window keeps the link's own behaviour.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      const text = data.examples[link.dataset.example];
      if (text === undefined) return;
      event.preventDefault();
      const tab = yasgui.getTab();
      tab.setQuery(text);
      markCurrent(link);
      window.history.replaceState(null, "", link.href);
      tab.getYasqe()?.focus();
    });
  }
}

function shareButton(yasgui) {
  const button = document.getElementById("share-button");
  const field = document.getElementById("share-link");
  const status = document.getElementById("share-status");
  button.addEventListener("click", async () => {
    field.value = shareLink(yasgui.getTab().getQuery());
    field.hidden = false;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = data.messages["query.copied"];
    } catch {
      // No clipboard (an insecure origin, or refused): the selected link is there to copy.
      status.textContent = "";
    }
  });
}

/** Links in the results to this graph's things open their pages here, not at w3id.org. */
function localLinks(container) {
  const rewrite = (event) => {
    const link = event.target.closest?.("a[href]");
    if (link && link.href.startsWith(data.thingBase)) {
      link.href = new URL(data.pagesPath + link.href.slice(data.thingBase.length), window.location.href).href;
    }
  };
  for (const type of ["click", "auxclick", "focusin", "pointerover"]) {
    container.addEventListener(type, rewrite, true);
  }
}

const yasgui = createEditor();
// Reachable from the browser's console (and the browser tests).
window.scographYasgui = yasgui;
localLinks(document.getElementById("yasgui"));
openExamplesInEditor(yasgui);
shareButton(yasgui);
window.addEventListener("hashchange", () => {
  const query = queryFromHash();
  if (query !== null) yasgui.getTab().setQuery(query);
});
