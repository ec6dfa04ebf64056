import {
  lazy,
  type MouseEvent,
  type ReactNode,
  Suspense,
  useEffect,
  useRef,
  useState,
} from 'react';
import { Link, navigate } from '../router.tsx';
import { LoginPage } from './LoginPage.tsx';
import { useSession } from './session.ts';

// Each page is its own chunk, so signing in does not wait for the charts (Observable Plot)
// that only some pages draw.
const EnrolPage = lazy(() => import('./EnrolPage.tsx').then((m) => ({ default: m.EnrolPage })));
const ExportsPage = lazy(() =>
  import('./ExportsPage.tsx').then((m) => ({ default: m.ExportsPage })),
);
const CallListPage = lazy(() =>
  import('./CallListPage.tsx').then((m) => ({ default: m.CallListPage })),
);
const PaperFormsPage = lazy(() =>
  import('./PaperFormsPage.tsx').then((m) => ({ default: m.PaperFormsPage })),
);
const FollowUpPage = lazy(() =>
  import('./FollowUpPage.tsx').then((m) => ({ default: m.FollowUpPage })),
);
const InstrumentsPage = lazy(() =>
  import('./InstrumentsPage.tsx').then((m) => ({ default: m.InstrumentsPage })),
);
const loadMeta = () => import('./MetaPage.tsx');
const MetaPage = lazy(() => loadMeta().then((m) => ({ default: m.MetaPage })));
const loadOutcomes = () => import('./OutcomesPage.tsx');
const OutcomesPage = lazy(() => loadOutcomes().then((m) => ({ default: m.OutcomesPage })));
const loadPatientList = () => import('./PatientList.tsx');
const PatientList = lazy(() => loadPatientList().then((m) => ({ default: m.PatientList })));
const loadPatientPage = () => import('./PatientPage.tsx');
const PatientPage = lazy(() => loadPatientPage().then((m) => ({ default: m.PatientPage })));
const RegistryEvidencePage = lazy(() =>
  import('./RegistryEvidencePage.tsx').then((m) => ({ default: m.RegistryEvidencePage })),
);
const ResearcherRecordPage = lazy(() =>
  import('./ResearcherRecordPage.tsx').then((m) => ({ default: m.ResearcherRecordPage })),
);
const SchedulePage = lazy(() =>
  import('./SchedulePage.tsx').then((m) => ({ default: m.SchedulePage })),
);
const AccountPage = lazy(() =>
  import('./AccountPage.tsx').then((m) => ({ default: m.AccountPage })),
);
const DataQualityPage = lazy(() =>
  import('./DataQualityPage.tsx').then((m) => ({ default: m.DataQualityPage })),
);
const AuditPage = lazy(() => import('./AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const UsersPage = lazy(() => import('./UsersPage.tsx').then((m) => ({ default: m.UsersPage })));
const TemplatesPage = lazy(() =>
  import('./TemplatesPage.tsx').then((m) => ({ default: m.TemplatesPage })),
);

// The page opened by its address starts loading beside the session check, not after it.
const EARLY: [RegExp, () => Promise<unknown>][] = [
  [/^\/$/, loadPatientList],
  [/^\/outcomes$/, loadOutcomes],
  [/^\/meta-analysis$/, loadMeta],
  [/^\/patients\/[0-9a-f-]{36}$/, loadPatientPage],
];
for (const [path, load] of EARLY) if (path.test(window.location.pathname)) void load();

export function ClinicApp({ path }: { path: string }) {
  const session = useSession();
  // On a phone the page links fold behind a "Menu" button (styles.css hides the button on a
  // wider screen, where the links stay on one line); a new page closes the menu.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // A page restored from the back-forward cache after a tablet hand-over would show patient
  // data the ended session can no longer fetch: load it afresh (the sign-in page) instead.
  useEffect(() => {
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) window.location.reload();
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, []);
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
  else if (path === '/follow-up') page = <FollowUpPage canEnter={user.role !== 'researcher'} />;
  else if (path === '/call-list' && user.role !== 'researcher') page = <CallListPage />;
  else if (path === '/paper-forms' && user.role !== 'researcher') page = <PaperFormsPage />;
  else if (path === '/outcomes') page = <OutcomesPage />;
  else if (path === '/exports') page = <ExportsPage user={user} />;
  else if (path === '/schedule') page = <SchedulePage user={user} />;
  else if (path === '/emails') page = <TemplatesPage user={user} />;
  else if (path === '/questionnaires') page = <InstrumentsPage />;
  else if (path === '/audit' && user.role === 'admin') page = <AuditPage />;
  else if (path === '/data-quality' && user.role !== 'researcher') page = <DataQualityPage />;
  else if (path === '/users') page = <UsersPage user={user} />;
  else if (path === '/account') page = <AccountPage />;
  else if (patient?.[1])
    page =
      user.role === 'researcher' ? (
        <ResearcherRecordPage id={patient[1]} />
      ) : (
        <PatientPage id={patient[1]} user={user} />
      );
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
          {NAV.filter(
            ([to]) =>
              (to !== '/emails' || user.role !== 'researcher') &&
              (to !== '/call-list' || user.role !== 'researcher') &&
              (to !== '/data-quality' || user.role !== 'researcher') &&
              (to !== '/users' || user.role === 'admin') &&
              (to !== '/audit' || user.role === 'admin'),
          ).map(([to, text]) => (
            <NavLink key={to} to={to} current={sectionOf(path) === to}>
              {text}
            </NavLink>
          ))}
        </nav>
        {/* Who is signed in opens their account (password, two-factor, sessions). */}
        <NavLink
          to="/account"
          current={path === '/account'}
          className="who"
          title={`Account: ${user.name} · ${user.role} · ${user.siteName}`}
        >
          <span className="visually-hidden">Account: </span>
          <span>
            {user.name} · {user.role}
          </span>
          <span>{user.siteName}</span>
        </NavLink>
        <button type="button" className="link-button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main className="page">
        <Suspense fallback={<p>Loading…</p>}>{page}</Suspense>
      </main>
    </>
  );
}

const NAV: [string, string][] = [
  ['/', 'Patients'],
  ['/follow-up', 'Follow-up'],
  ['/call-list', 'Call list'],
  ['/outcomes', 'Outcomes'],
  ['/data-quality', 'Data quality'],
  ['/exports', 'Exports'],
  ['/schedule', 'Schedule'],
  ['/questionnaires', 'Questionnaires'],
  ['/emails', 'E-mails'],
  ['/registry-vs-evidence', 'Registry vs evidence'],
  ['/meta-analysis', 'Meta-analysis'],
  ['/users', 'Users'],
  ['/audit', 'Audit log'],
];

/** The menu entry a page belongs to: a patient's page and enrolment are under Patients. */
function sectionOf(path: string): string {
  // Paper forms are part of follow-up, and reached from its page.
  if (path === '/paper-forms') return '/follow-up';
  return NAV.some(([to]) => to === path && to !== '/') ? path : '/';
}

/** A menu link that tells sighted and screen-reader users alike which page they are on. */
function NavLink({
  to,
  current,
  children,
  className,
  title,
}: {
  to: string;
  current: boolean;
  children: ReactNode;
  className?: string;
  /** A tooltip, where the visible text may be cut short. */
  title?: string;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a
      href={to}
      onClick={onClick}
      {...(className ? { className } : {})}
      {...(title ? { title } : {})}
      {...(current ? { 'aria-current': 'page' as const } : {})}
    >
      {children}
    </a>
  );
}
