-- A registry's e-mail wording is kept per BCP 47 tag ("pt-BR", "zh-Hant"), as the patient's
-- language has been since 0075, so a clinic can word Brazilian and European Portuguese apart;
-- existing two-letter codes stay valid. The app stores each tag in its canonical form.
alter table message_templates drop constraint message_templates_language_check;
alter table message_templates add constraint message_templates_language_check
  check (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' and length(language) <= 35);
