import { CircuitState, type CircuitBreakerPolicy } from 'cockatiel';

/** A circuit breaker's state as `/metrics` (`atelier_circuit_breaker_state`) and the services name it. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** A cockatiel breaker's state; isolated (held open by hand) counts as open, since calls fail fast either way. */
export function breakerStateOf(breaker: CircuitBreakerPolicy): BreakerState {
  switch (breaker.state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half_open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}
