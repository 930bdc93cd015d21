// One pass over every Gist module through a GistClient, shared by the Node, workerd and browser tests.
// It returns what it saw; each test asserts on that. The client must point at a fresh mock.

export async function smoke(gist, GistError) {
  const seen = {};
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const user = await gist.createUser({ user_id: stamp, email: `u${stamp}@example.com`, tags: ["smoke"] });
  seen.user = { type: user.type, user_id: user.user_id };
  seen.fetchedUser = (await gist.fetchUser({ user_id: stamp })).id === user.id;
  seen.updatedUser = (await gist.updateUser({ id: user.id }, { name: "Smoke" })).name;
  seen.users = (await gist.listUsers({ limit: 70 })).every((c) => c.type === "user");
  let count = 0;
  for await (const c of gist.iterUsers()) if (++count === 5) break;
  seen.iteratedUsers = count;

  const lead = await gist.createLead({ email: `l${stamp}@example.com` });
  seen.lead = lead.type;
  seen.fetchedLead = (await gist.fetchLead({ email: `l${stamp}@example.com` })).id === lead.id;
  seen.updatedLead = (await gist.updateLead({ id: lead.id }, { name: "Lead" })).name;
  seen.leads = (await gist.listLeads({ limit: 75 })).filter((c) => c.type === "lead").length;
  count = 0;
  for await (const c of gist.iterLeads({ limit: 3 })) count += c.type === "lead" ? 1 : 0;
  seen.iteratedLeads = count;

  const tag = await gist.createTag(`Smoke ${stamp}`);
  seen.renamedTag = (await gist.updateTag(tag.id, `smoke ${stamp}`)).name === `smoke ${stamp}`;
  const result = await gist.tagContacts({ tag: `smoke ${stamp}`, users: [{ id: user.id }], leads: [{ email: `l${stamp}@example.com` }, { email: "ghost@example.com" }] });
  seen.tagResult = { tagged: result.tagged, failed: result.failed.map((f) => f.error.code) };
  seen.tags = (await gist.listTags({ limit: 1000 })).some((t) => t.id === tag.id);
  count = 0;
  for await (const t of gist.iterTags()) count += t.id === tag.id ? 1 : 0;
  seen.iteratedTags = count;
  seen.deletedTag = typeof (await gist.deleteTag(tag.id));

  seen.segmentCount = typeof (await gist.fetchSegment(1, { include_count: true })).count;
  seen.segments = (await gist.listSegments()).length;
  count = 0;
  for await (const s of gist.iterSegments({ limit: 2 })) count += s.id > 0 ? 1 : 0;
  seen.iteratedSegments = count;
  seen.campaignRate = typeof (await gist.fetchCampaign(100)).email_open_rate;
  seen.campaigns = (await gist.listCampaigns({ limit: 2 })).length;
  count = 0;
  for await (const c of gist.iterCampaigns()) count += c.id > 0 ? 1 : 0;
  seen.iteratedCampaigns = count;

  const event = await gist.recordEvent({ event_name: "smoke.test$run", user: { email: `u${stamp}@example.com` } });
  seen.eventName = event.name;
  seen.events = (await gist.listEvents({ limit: 10000 })).some((e) => e.id === event.id);
  count = 0;
  for await (const e of gist.iterEvents()) if (++count === 3) break;
  seen.iteratedEvents = count;

  seen.apiCall = (await gist.apiCall({ url: "/contacts/1" })).status;
  seen.apiCallRefused = await gist.apiCall({ url: "https://example.com/" }).catch((e) => e instanceof GistError && e.code);

  await gist.deleteUser({ id: user.id });
  await gist.deleteLead({ id: lead.id });
  seen.deleted = await gist.fetchUser({ id: user.id }).catch((e) => e.code);
  return seen;
}

// What every runtime must see.
export const expected = {
  user: { type: "user", user_id: undefined },
  fetchedUser: true,
  updatedUser: "Smoke",
  users: true,
  iteratedUsers: 5,
  lead: "lead",
  fetchedLead: true,
  updatedLead: "Lead",
  leads: 75,
  iteratedLeads: 3,
  renamedTag: true,
  tagResult: { tagged: 2, failed: ["not_found"] },
  tags: true,
  iteratedTags: 1,
  segmentCount: "number",
  segments: 3,
  iteratedSegments: 2,
  campaignRate: "string",
  campaigns: 2,
  iteratedCampaigns: 4,
  eventName: "smoke-test-run",
  events: true,
  iteratedEvents: 3,
  apiCall: 404,
  apiCallRefused: "invalid_argument",
  deleted: "not_found",
  deletedTag: "undefined",
};

/** `expected`, with the user_id that `seen` was created with. */
export function expectedFor(seen) {
  return { ...expected, user: { type: "user", user_id: seen.user.user_id } };
}
