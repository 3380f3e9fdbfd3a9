import { EmptyState } from '../components/empty-state.js';
import { Link } from '../lib/router.js';

export function NotFound() {
  return (
    <EmptyState>
      No such page. <Link to="/">Back to the overview</Link>.
    </EmptyState>
  );
}
