import { useCallback, useEffect, useMemo, useState } from 'react';
import { createRefreshingTokenSource } from '@numerai/client';
import { NumerAIProvider, useNumerAI, usePresence, usePushSubscription } from '@numerai/react';
import {
  API_BASE,
  ApiFailure,
  demoTopUp,
  listConsultations,
  loadSession,
  saveSession,
  sessionOf,
  startConsultation,
  type Consultation,
  type Session,
} from './api';
import { Availability } from './Availability';
import { Bell } from './Bell';
import { ChatPanel } from './ChatPanel';
import { DailyReading } from './DailyReading';
import { PushNotifications } from './PushNotifications';
import { Reminders } from './Reminders';
import { SignIn } from './SignIn';
import { TOP_UP_MINOR, Wallet } from './Wallet';

export function App({ serviceWorker }: { serviceWorker: Promise<ServiceWorkerRegistration> }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const signOut = useCallback(() => {
    saveSession(null);
    setSession(null);
  }, []);
  // With a refresh token the provider renews the access token before it expires (in-band on every
  // socket); each refresh spends the refresh token, so the tab keeps the newest for a reload.
  const refreshToken = session?.refreshToken;
  const getToken = useMemo(
    () =>
      refreshToken
        ? createRefreshingTokenSource({
            baseUrl: API_BASE,
            refreshToken,
            onTokens: (tokens) => (tokens ? saveSession(sessionOf(tokens)) : signOut()),
          }).getToken
        : undefined,
    [refreshToken, signOut],
  );

  if (!session) {
    return (
      <SignIn
        onSignedIn={(next) => {
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }
  return (
    <NumerAIProvider baseUrl={API_BASE} token={session.token} getToken={getToken}>
      <Workspace session={session} onSignOut={signOut} serviceWorker={serviceWorker} />
    </NumerAIProvider>
  );
}

function Workspace({
  session,
  onSignOut,
  serviceWorker,
}: {
  session: Session;
  onSignOut: () => void;
  serviceWorker: Promise<ServiceWorkerRegistration>;
}) {
  const { user } = session;
  // The provider's token: renewed in place, so REST calls keep working after the first one expires.
  const token = useNumerAI().token ?? session.token;
  const [consultations, setConsultations] = useState<Consultation[] | null>(null);
  // A pushed notification's link (`/demo/?consultation=<id>`) opens that consultation's chat.
  const [selectedId, setSelectedId] = useState<string | null>(() =>
    new URLSearchParams(window.location.search).get('consultation'),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [numerologistId, setNumerologistId] = useState('');
  const presence = usePresence();
  // Bumped whenever the balance may have moved: the wallet reads it again.
  const [walletVersion, setWalletVersion] = useState(0);
  const walletChanged = useCallback(() => setWalletVersion((version) => version + 1), []);
  const topUp = useCallback(() => {
    demoTopUp(token, TOP_UP_MINOR).then(walletChanged, (failure: unknown) =>
      setProblem(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [token, walletChanged]);
  const push = usePushSubscription({ registration: serviceWorker });
  // A shared browser must not keep getting the previous user's pushes: signing out unsubscribes it.
  const signOutHere = () => void (push.subscribed ? push.unsubscribe() : Promise.resolve(false)).finally(onSignOut);

  const refresh = useCallback(() => {
    listConsultations(token).then(setConsultations, (failure: unknown) => {
      if (failure instanceof ApiFailure && failure.status === 401) onSignOut();
      else setProblem(failure instanceof Error ? failure.message : String(failure));
    });
  }, [token, onSignOut]);
  useEffect(refresh, [refresh]);

  const otherOf = (c: Consultation) => (c.user_id === user.id ? c.numerologist_id : c.user_id);
  const nameOf = (c: Consultation) =>
    presence.users[otherOf(c)]?.user_name ?? (c.user_id === user.id ? 'Your numerologist' : 'Your client');
  const selected = consultations?.find((c) => c.id === selectedId) ?? null;

  return (
    <div className="app">
      <header className="topbar">
        <strong>NumerAI</strong> <span className="muted subtitle">real-time demo</span>
        <span className="spacer" />
        <span className="me" data-testid="me">
          {user.full_name} <span className="muted">({user.role})</span>
        </span>
        <Bell />
        <button type="button" className="link" onClick={signOutHere}>
          Sign out
        </button>
      </header>
      <div className="body">
        <aside className="sidebar">
          <h2>Consultations</h2>
          {problem && <p className="error">{problem}</p>}
          {consultations === null && <p className="muted">Loading…</p>}
          {consultations?.length === 0 && (
            <p className="muted">
              None yet. {user.role === 'user' ? 'Start one below.' : 'A client has to start one.'}
            </p>
          )}
          <ul className="consultations">
            {consultations?.map((c) => {
              const online = presence.isOnline(otherOf(c));
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    className={c.id === selectedId ? 'consultation selected' : 'consultation'}
                    data-testid="consultation"
                    data-consultation-id={c.id}
                    onClick={() => setSelectedId(c.id)}
                  >
                    <span
                      className={online ? 'dot online' : 'dot offline'}
                      data-testid="presence-dot"
                      data-user-id={otherOf(c)}
                      data-online={online}
                      title={online ? 'online' : 'offline'}
                    />
                    <span className="name">{nameOf(c)}</span>
                    <span className="muted small">{c.status}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {user.role === 'user' && (
            <form
              className="new-consultation"
              onSubmit={(event) => {
                event.preventDefault();
                startConsultation(token, numerologistId.trim()).then(
                  (created) => {
                    setNumerologistId('');
                    setSelectedId(created.id);
                    refresh();
                  },
                  (failure: unknown) => setProblem(failure instanceof Error ? failure.message : String(failure)),
                );
              }}
            >
              <input
                placeholder="numerologist id"
                value={numerologistId}
                onChange={(event) => setNumerologistId(event.target.value)}
              />
              <button type="submit" disabled={!numerologistId.trim()}>
                Start
              </button>
            </form>
          )}
          <Availability token={token} role={user.role} />
          <Wallet token={token} version={walletVersion} onChanged={walletChanged} />
          <Reminders />
          <DailyReading token={token} />
          <PushNotifications push={push} />
          <p className="muted small hint">
            Open this page in a second window (another tab works: sessions are per tab) and sign in as the other
            participant to watch messages, typing and read receipts travel.
          </p>
        </aside>
        <main className="main">
          {selected ? (
            <ChatPanel
              key={selected.id}
              consultation={selected}
              me={user}
              otherId={otherOf(selected)}
              otherName={nameOf(selected)}
              otherOnline={presence.isOnline(otherOf(selected))}
              onWalletChanged={walletChanged}
              onTopUp={topUp}
            />
          ) : (
            <p className="muted empty">Pick a consultation to open its chat.</p>
          )}
        </main>
      </div>
    </div>
  );
}
