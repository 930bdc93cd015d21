// A server component: lists users from the mock Gist API in GIST_MOCK_URL, at each request.
import { GistClient } from "gist-wasm";

export const dynamic = "force-dynamic";

export default async function Home() {
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: process.env.GIST_MOCK_URL });
  const users = await gist.listUsers({ limit: 5 });
  return (
    <ul id="users">
      {users.map((user) => <li key={user.id}>{user.email}</li>)}
    </ul>
  );
}
