// The demo's logic: each form calls one GistClient method and shows the result or the GistError.
import init, { GistClient, GistError } from "/pkg/index.js";

await init();
const gist = new GistClient({ apiKey: "mock-key", baseUrl: `${location.origin}/api` });
const result = document.getElementById("result");

function cell(value) {
  return value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
}

function showContacts(contacts) {
  const columns = ["id", "type", "user_id", "email", "name", "created_at"];
  const table = document.createElement("table");
  table.innerHTML = `<thead><tr>${columns.map((c) => `<th>${c}</th>`).join("")}</tr></thead>`;
  const body = table.createTBody();
  for (const contact of contacts) {
    const row = body.insertRow();
    for (const column of columns) row.insertCell().textContent = cell(contact[column]);
  }
  result.replaceChildren(table);
}

function showError(error) {
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = error instanceof GistError
    ? `${error.code}${error.status ? ` (${error.status})` : ""}: ${error.message}`
    : String(error);
  result.replaceChildren(p);
}

function onSubmit(id, handler) {
  document.getElementById(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target));
    try {
      await handler(data, event.submitter);
    } catch (error) {
      showError(error);
    }
  });
}

onSubmit("create-user", async ({ user_id, email, name }) => {
  const user = { user_id };
  if (email) user.email = email;
  if (name) user.name = name;
  showContacts([await gist.createUser(user)]);
});

onSubmit("fetch-user", async ({ by, value }, submitter) => {
  const ref = { [by]: by === "id" ? Number(value) : value };
  if (submitter && submitter.value === "delete") {
    await gist.deleteUser(ref);
    result.textContent = "Deleted.";
  } else {
    showContacts([await gist.fetchUser(ref)]);
  }
});

onSubmit("list-users", async ({ limit, order }) => {
  showContacts(await gist.listUsers({ limit: Number(limit), order }));
});
