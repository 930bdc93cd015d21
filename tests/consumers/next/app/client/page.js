// The page of the client component; it hands the component the mock's URL, read at request time.
import Smoke from "./smoke.js";

export const dynamic = "force-dynamic";

export default function ClientPage() {
  return <Smoke baseUrl={process.env.GIST_MOCK_URL} />;
}
