-- Body-mass index (kg/m²) at the time of a treatment, optional; cohorts are filtered by its
-- WHO class. The bounds only refuse typing errors.
alter table treatments add column bmi double precision check (bmi between 10 and 80);
