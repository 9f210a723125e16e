-- The shared sidebar filters. An empty list means "all".
CREATE OR REPLACE TEMP MACRO wf_in(selected, value) AS (len(selected) = 0 OR list_contains(selected, value));
-- The sidebar's scope is four lists: $regions, $verticals, $priorities, $vendors. A query binds them
-- only through the macros below, in that order (tests/unit/test_query_files.py checks), and the
-- macro's name says which region a query filters on: the case's own region (cases.region, or a
-- summary's copy of it), or the region of the queue the work was done in.
-- wf_in_case_scope: a case in the scope by its own region, its queue's vertical, its priority and
-- its vendor.
CREATE OR REPLACE TEMP MACRO wf_in_case_scope(regions, verticals, priorities, vendors, case_region, vertical, priority, vendor_id) AS (
    wf_in(regions, case_region) AND wf_in(verticals, vertical) AND wf_in(priorities, priority) AND wf_in(vendors, vendor_id));
-- wf_in_case_scope_but_vertical: the same without the vertical, for queries that take the vertical
-- from a list of the queues in wf_in_vertical_scope.
CREATE OR REPLACE TEMP MACRO wf_in_case_scope_but_vertical(regions, priorities, vendors, case_region, priority, vendor_id) AS (
    wf_in(regions, case_region) AND wf_in(priorities, priority) AND wf_in(vendors, vendor_id));
CREATE OR REPLACE TEMP MACRO wf_in_vertical_scope(verticals, vertical) AS (wf_in(verticals, vertical));
-- wf_in_queue_scope: work in the scope by the queue it was done in (its region, vertical and
-- policy's priority) and the vendor of the reviewer or case.
CREATE OR REPLACE TEMP MACRO wf_in_queue_scope(regions, verticals, priorities, vendors, queue_region, vertical, priority, vendor_id) AS (
    wf_in(regions, queue_region) AND wf_in(verticals, vertical) AND wf_in(priorities, priority) AND wf_in(vendors, vendor_id));
-- wf_in_queue_scope_but_vendor: a queue in the scope, for queries that apply the vendor filter to
-- the reviewer rows apart (wf_in_vendor_scope).
CREATE OR REPLACE TEMP MACRO wf_in_queue_scope_but_vendor(regions, verticals, priorities, queue_region, vertical, priority) AS (
    wf_in(regions, queue_region) AND wf_in(verticals, vertical) AND wf_in(priorities, priority));
-- wf_in_shift_scope: a shift in the scope by its queue's region and vertical and its reviewer's
-- vendor (staffing is not split by priority).
CREATE OR REPLACE TEMP MACRO wf_in_shift_scope(regions, verticals, vendors, queue_region, vertical, vendor_id) AS (
    wf_in(regions, queue_region) AND wf_in(verticals, vertical) AND wf_in(vendors, vendor_id));
-- wf_in_vendor_scope: the vendor filter alone (one queue's rows, a vendor's own row, reviewers).
CREATE OR REPLACE TEMP MACRO wf_in_vendor_scope(vendors, vendor_id) AS (wf_in(vendors, vendor_id));
-- wf_scope_is_all: no scope filter is set.
CREATE OR REPLACE TEMP MACRO wf_scope_is_all(regions, verticals, priorities, vendors) AS (
    len(regions) = 0 AND len(verticals) = 0 AND len(priorities) = 0 AND len(vendors) = 0);
