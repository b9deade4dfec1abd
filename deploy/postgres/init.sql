-- One database per service (each service owns its tables; DESIGN §3).
-- Run once by the postgres image when its data volume is empty (/docker-entrypoint-initdb.d).
CREATE DATABASE thidua_submissions;
CREATE DATABASE thidua_scoring;
CREATE DATABASE thidua_nominations;
CREATE DATABASE thidua_reporting;
CREATE DATABASE thidua_audit;
