// contacts.ts: the package's types by name, and narrowing on error.code and event.kind
import { GistClient, GistError } from "gist-wasm";
import type { ContactRef, GistErrorCode, NewUser, WebhookEvent } from "gist-wasm";

/** Whether a failed call is worth trying again later (the client has already retried what was safe). */
export function isTransient(code: GistErrorCode): boolean {
  switch (code) {
    case "rate_limited":
    case "server_error":
    case "network_error":
    case "timeout":
      return true;
    default:
      return false;
  }
}

/** Gist's id of the user with this email, created from `user` when there is none. */
export async function ensureUser(gist: GistClient, user: NewUser & { email: string }): Promise<number> {
  const ref: ContactRef = { email: user.email };
  try {
    return (await gist.fetchUser(ref)).id;
  } catch (error) {
    // `error` is `unknown`: instanceof makes it a GistError, whose `code` is a GistErrorCode
    if (!(error instanceof GistError && error.code === "not_found")) throw error;
  }
  return (await gist.createUser(user)).id;
}

/** One line about a delivery: each `kind` has its own fields. */
export function describeEvent(event: WebhookEvent): string {
  const topic = event.topic ?? event.kind;
  switch (event.kind) {
    case "contact":
    case "automation":
      return `${topic}: contact ${event.contact.id} (${event.contact.type})`;
    case "conversation":
      return `${topic}: a conversation`;
    case "unknown": {
      const exhaustive: "unknown" = event.kind; // a new kind in a later version fails to compile here
      return `${topic}: ${exhaustive}`;
    }
  }
}
