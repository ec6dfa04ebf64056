import { type MouseEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, navigate } from '../router.tsx';
import { EnrolPage } from './EnrolPage.tsx';
import { ExportsPage } from './ExportsPage.tsx';
import { FollowUpPage } from './FollowUpPage.tsx';
import { InstrumentsPage } from './InstrumentsPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import { MetaPage } from './MetaPage.tsx';
import { OutcomesPage } from './OutcomesPage.tsx';
import { PatientList } from './PatientList.tsx';
import { PatientPage } from './PatientPage.tsx';
import { RegistryEvidencePage } from './RegistryEvidencePage.tsx';
import { SchedulePage } from './SchedulePage.tsx';
import { useSession } from './session.ts';
import { TemplatesPage } from './TemplatesPage.tsx';

export function ClinicApp({ path }: { path: string }) {
  const session = useSession();
  // On a phone the page links fold behind a "Menu" button (styles.css hides the button on a
  // wider screen, where the links stay on one line); a new page closes the menu.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // Escape closes the open menu and puts the focus back on its button.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing on every change of page is the point
  useEffect(() => setMenuOpen(false), [path]);
  if (session.user === undefined) return <p className="page">Loading…</p>;
  if (session.user === null) {
    return (
      <LoginPage
        onSignedIn={(u, csrf) => {
          session.signedIn(u, csrf);
          if (path === '/login') navigate('/');
        }}
      />
    );
  }
  const user = session.user;
  const patient = /^\/patients\/([0-9a-f-]{36})$/.exec(path);
  let page = <PatientList user={user} />;
  if (path === '/patients/new') page = <EnrolPage />;
  else if (path === '/registry-vs-evidence') page = <RegistryEvidencePage />;
  else if (path === '/meta-analysis') page = <MetaPage />;
  else if (path === '/follow-up') page = <FollowUpPage />;
  else if (path === '/outcomes') page = <OutcomesPage />;
  else if (path === '/exports') page = <ExportsPage user={user} />;
  else if (path === '/schedule') page = <SchedulePage user={user} />;
  else if (path === '/emails') page = <TemplatesPage user={user} />;
  else if (path === '/questionnaires') page = <InstrumentsPage />;
  else if (patient?.[1]) page = <PatientPage id={patient[1]} user={user} />;
  return (
    <>
      <header className={menuOpen ? 'topbar menu-open' : 'topbar'}>
        <Link to="/" className="brand">
          StemTrack
        </Link>
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-menu"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav className="topnav" id="main-menu" aria-label="Main">
          {NAV.filter(([to]) => to !== '/emails' || user.role !== 'researcher').map(
            ([to, text]) => (
              <NavLink key={to} to={to} current={sectionOf(path) === to}>
                {text}
              </NavLink>
            ),
          )}
        </nav>
        <span className="who" title={`${user.name} · ${user.role} · ${user.siteName}`}>
          <span>
            {user.name} · {user.role}
          </span>
          <span>{user.siteName}</span>
        </span>
        <button type="button" className="link-button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main className="page">{page}</main>
    </>
  );
}

const NAV: [string, string][] = [
  ['/', 'Patients'],
  ['/follow-up', 'Follow-up'],
  ['/outcomes', 'Outcomes'],
  ['/exports', 'Exports'],
  ['/schedule', 'Schedule'],
  ['/questionnaires', 'Questionnaires'],
  ['/emails', 'E-mails'],
  ['/registry-vs-evidence', 'Registry vs evidence'],
  ['/meta-analysis', 'Meta-analysis'],
];

/** The menu entry a page belongs to: a patient's page and enrolment are under Patients. */
function sectionOf(path: string): string {
  return NAV.some(([to]) => to === path && to !== '/') ? path : '/';
}

/** A menu link that tells sighted and screen-reader users alike which page they are on. */
function NavLink({ to, current, children }: { to: string; current: boolean; children: ReactNode }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...(current ? { 'aria-current': 'page' as const } : {})}>
      {children}
    </a>
  );
}
