import { Link, navigate } from '../router.tsx';
import { AuditPage } from './AuditPage.tsx';
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
  else if (path === '/audit' && user.role === 'admin') page = <AuditPage />;
  else if (patient?.[1]) page = <PatientPage id={patient[1]} user={user} />;
  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          StemTrack
        </Link>
        <nav className="topnav" aria-label="Main">
          <Link to="/">Patients</Link>
          <Link to="/follow-up">Follow-up</Link>
          <Link to="/outcomes">Outcomes</Link>
          <Link to="/exports">Exports</Link>
          <Link to="/schedule">Schedule</Link>
          <Link to="/questionnaires">Questionnaires</Link>
          {user.role !== 'researcher' && <Link to="/emails">E-mails</Link>}
          <Link to="/registry-vs-evidence">Registry vs evidence</Link>
          <Link to="/meta-analysis">Meta-analysis</Link>
          {user.role === 'admin' && <Link to="/audit">Audit log</Link>}
        </nav>
        <span className="who">
          {user.name} · {user.role} · {user.siteName}
        </span>
        <button type="button" className="link-button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main className="page">{page}</main>
    </>
  );
}
