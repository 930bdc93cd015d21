// server/api/users.get.ts
export default defineEventHandler((event) => useGist(event).listUsers({ limit: 5 }));
