// A TypeScript consumer of the built package: `tsc --strict --noEmit` must accept every line.
import init, {
  GistClient,
  GistError,
  type Contact,
  type ContactRef,
  type GistErrorCode,
  type ListContactsOptions,
  type NewUser,
  type RequestOptions,
  type UserChanges,
} from "gist-wasm";
import { createMockGist, type MockGist } from "gist-wasm/mock";

export async function useEveryUsersFunction(): Promise<number> {
  await init();
  const mock: MockGist = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, timeoutMs: 5000 });
  const signal: AbortSignal = new AbortController().signal;
  const options: RequestOptions = { signal, timeoutMs: 1000 };
  const newUser: NewUser = { user_id: 1, email: "a@example.com", custom_properties: { plan: "pro", seats: 3, vip: true } };
  const created: Contact = await gist.createUser(newUser, options);
  const id: number = created.id;
  const userId: string | null | undefined = created.user_id;
  const kind: "user" | "lead" = created.type;
  const refs: ContactRef[] = [{ id }, { user_id: "1" }, { user_id: 1 }, { email: "a@example.com" }];
  const changes: UserChanges = { name: "New", unsubscribed_from_emails: true };
  const updated: Contact = await gist.updateUser(refs[0], changes);
  const fetched: Contact = await gist.fetchUser({ email: "a@example.com" });
  const listOptions: ListContactsOptions = { limit: 10, order: "asc", order_by: "signed_up_at", tag_id: 1 };
  const users: Contact[] = await gist.listUsers(listOptions, options);
  for await (const user of gist.iterUsers({ limit: 3 })) {
    const email: string | null | undefined = user.email;
    void email;
  }
  await gist.deleteUser({ id });
  try {
    await gist.fetchUser({ id });
  } catch (error) {
    if (error instanceof GistError) {
      const code: GistErrorCode = error.code;
      const status: number | undefined = error.status;
      const path: string | undefined = error.path;
      void [code, status, path];
    }
  }
  void [userId, kind, updated, fetched];
  return users.length;
}

// @ts-expect-error user_id is required for a user
const missingUserId: NewUser = { email: "x@example.com" };
// @ts-expect-error a contact is named by id, user_id or email
const badRef: ContactRef = { name: "x" };
// @ts-expect-error order is "asc" or "desc"
const badOrder: ListContactsOptions = { order: "up" };
// @ts-expect-error custom property values are scalars
const badProps: NewUser = { user_id: 1, custom_properties: { nested: { a: 1 } } };
void [missingUserId, badRef, badOrder, badProps];
