-- A patient who follows the unsubscribe link in a survey e-mail gets no more e-mails.
alter table patient_identities add column email_opt_out_at timestamptz;
