# Programmes, cohorts, enrolment, sessions, attendance and pairing arrive with the enrolment
# issue; see PRODUCT.md §3. This app imports people and refers to CMS pages only by string.
