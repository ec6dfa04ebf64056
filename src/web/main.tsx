import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClinicApp } from './clinic/ClinicApp.tsx';
import { usePath } from './router.tsx';
import './styles.css';

/** The clinic app; survey, unsubscribe and evidence pages are their own HTML entries. */
function App() {
  return <ClinicApp path={usePath()} />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
