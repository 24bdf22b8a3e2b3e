import { useState } from 'react';
import { ApiFailure, DEMO_ACCOUNTS, login, register, type Session } from './api';

/** Sign in with email and password, register, or pick one of the CLI's demo accounts. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fullName, setFullName] = useState('');
  const [role, setRole] = useState<'user' | 'numerologist'>('user');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const attempt = async (work: () => Promise<Session>, demo = false) => {
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await work());
    } catch (failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      setProblem(
        demo && failure instanceof ApiFailure && failure.status === 401
          ? 'The demo accounts do not exist on this server yet: run `npm run cli -- demo` once, then try again.'
          : message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <h1>NumerAI real-time demo</h1>
      <p className="muted">Consultation chat, notifications and presence over the NumerAI WebSocket API.</p>
      <section>
        <h2>Pick a demo user</h2>
        <div className="demo-users">
          {DEMO_ACCOUNTS.map((account) => (
            <button
              key={account.email}
              type="button"
              disabled={busy}
              onClick={() => void attempt(() => login(account.email, account.password), true)}
            >
              {account.label}
            </button>
          ))}
        </div>
        <p className="muted small">
          Created by <code>npm run cli -- demo</code>. Open a second tab as the other one.
        </p>
      </section>
      <section>
        <h2>{mode === 'login' ? 'Sign in' : 'Register'}</h2>
        <form
          className="signin-form"
          onSubmit={(event) => {
            event.preventDefault();
            void attempt(() =>
              mode === 'login'
                ? login(email.trim(), password)
                : register(email.trim(), password, fullName.trim(), role),
            );
          }}
        >
          <label>
            Email
            <input
              name="email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          {mode === 'register' && (
            <>
              <label>
                Full name
                <input name="full_name" value={fullName} onChange={(e) => setFullName(e.target.value)} />
              </label>
              <label>
                Role
                <select value={role} onChange={(e) => setRole(e.target.value as 'user' | 'numerologist')}>
                  <option value="user">client</option>
                  <option value="numerologist">numerologist</option>
                </select>
              </label>
            </>
          )}
          <button type="submit" disabled={busy} data-testid="signin-submit">
            {mode === 'login' ? 'Sign in' : 'Register'}
          </button>
        </form>
        <button type="button" className="link" onClick={() => setMode(mode === 'login' ? 'register' : 'login')}>
          {mode === 'login' ? 'No account? Register' : 'Have an account? Sign in'}
        </button>
        {problem && (
          <p className="error" data-testid="signin-error">
            {problem}
          </p>
        )}
      </section>
    </div>
  );
}
