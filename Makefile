# The two commands a newcomer needs:  make demo  (run the app)  and  make test  (pass the tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DEBUG ?= 1

.PHONY: demo test lint format bench bench-tiny worker beat venv

$(BIN)/python: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(BIN)/python

venv: $(BIN)/python

demo: venv  ## SQLite, Celery eager, demo data, demo accounts printed, server on :8000
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py load_demo_reports
	$(BIN)/python manage.py send_reminders --now --last-working-day
	# The demo serves the product's own Chinese error pages (DEBUG off; WhiteNoise serves the collected static files).
	DEBUG=0 SECRET_KEY=demo-only-not-for-production $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "\n打开 http://127.0.0.1:8000/ 登录"
	DEBUG=0 SECRET_KEY=demo-only-not-for-production $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: venv lint  ## uses DATABASE_URL/REDIS_URL when set, SQLite and eager Celery otherwise
	DEBUG=0 SECRET_KEY=test-only-secret-key $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv  ## city size: 20 counties, 3,000 villages, 14,000 reserves (set DATABASE_URL for PostgreSQL figures)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py bench --size city --keep
	$(BIN)/python manage.py bench_reports --size city --keep
	$(BIN)/python manage.py bench_reminders --date 2026-12-07
	$(BIN)/python manage.py bench_import

bench-tiny: venv
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py bench --size tiny --requests 3 --keep
	$(BIN)/python manage.py bench_reports --size tiny --keep
	$(BIN)/python manage.py bench_reminders --date 2026-12-07
	$(BIN)/python manage.py bench_import --size tiny

worker: venv
	$(BIN)/celery -A config worker -l info

beat: venv
	$(BIN)/celery -A config beat -l info
