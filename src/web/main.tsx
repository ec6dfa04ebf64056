import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClinicApp } from './clinic/ClinicApp.tsx';
import { ForgotPasswordPage, SetPasswordPage } from './clinic/PasswordLinkPages.tsx';
import { EvidencePage } from './evidence/EvidencePage.tsx';
import { usePath } from './router.tsx';
import { SurveyPage } from './survey/SurveyPage.tsx';
import { UnsubscribePage } from './survey/UnsubscribePage.tsx';
import './styles.css';

function App() {
  const path = usePath();
  const survey = /^\/s\/([A-Za-z0-9_-]+)$/.exec(path);
  if (survey?.[1]) return <SurveyPage token={survey[1]} />;
  if (path === '/evidence') return <EvidencePage />;
  if (path === '/set-password') return <SetPasswordPage />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  const unsubscribe = /^\/unsubscribe\/([A-Za-z0-9_.-]+)$/.exec(path);
  if (unsubscribe?.[1]) return <UnsubscribePage token={unsubscribe[1]} />;
  return <ClinicApp path={path} />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
