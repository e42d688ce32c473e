"""The demo: a network of organisations at every stage, and people in every role.

The top of the stack: it seeds every app through that app's own services, and nothing
but its commands and the tests imports it. One module per area, seeded in this order by
`demo.seed.seed_demo`:

- `demo.people`: the demo accounts, their roles, passwords and two-factor codes;
- `demo.register`: cohorts and organisations walked along the onboarding path;
- `demo.cycles`: submission rounds, stages written and published, a lapse, reminders;
- `demo.reviews`: the reviewer pool, finished review rounds and one under way;
- `demo.pdf`: a small valid PDF standing in for a scanned signed form.
"""
