import { useCallback, useEffect, useState } from 'react';
import { ApiFailure, call, demoTopUp, money } from './api';

/** What the demo adds per click, in minor units ($5.00 in USD). */
export const TOP_UP_MINOR = 500;

/**
 * The wallet's balance (GET /api/wallet), read again whenever `version` moves (a live session
 * charged a minute, say) and after a top-up, which goes through the demo's locally signed webhook.
 */
export function Wallet({ token, version, onChanged }: { token: string; version: number; onChanged: () => void }) {
  const [wallet, setWallet] = useState<{ balance: number; currency: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(() => {
    call<{ balance: number; currency: string }>('/api/wallet', { token }).then(setWallet, (failure: unknown) =>
      setProblem(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [token]);
  useEffect(load, [load, version]);

  const topUp = () => {
    setProblem(null);
    demoTopUp(token, TOP_UP_MINOR).then(onChanged, (failure: unknown) =>
      setProblem(
        failure instanceof ApiFailure && failure.status === 404
          ? 'Demo top-ups are off on this server (start it with DEMO_TOP_UPS=true and STRIPE_WEBHOOK_SECRET).'
          : failure instanceof Error
            ? failure.message
            : String(failure),
      ),
    );
  };

  return (
    <section className="wallet" data-testid="wallet">
      <h2>Wallet</h2>
      <p>
        <span data-testid="wallet-balance" data-minor={wallet?.balance ?? ''}>
          {wallet ? money(wallet.balance, wallet.currency) : '…'}
        </span>{' '}
        <button type="button" data-testid="top-up" onClick={topUp}>
          Top up {wallet ? money(TOP_UP_MINOR, wallet.currency) : ''}
        </button>
      </p>
      {problem && (
        <p className="error small" data-testid="wallet-error">
          {problem}
        </p>
      )}
      <p className="muted small">A demo payment: this server signs a Stripe-format event itself (DEMO_TOP_UPS).</p>
    </section>
  );
}
