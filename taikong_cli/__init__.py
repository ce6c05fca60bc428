"""The `taikong` command and `taikong serve`: entry points above flows/.

The library (`taikong/`) knows nothing of Prefect; `flows/` adapts it to Prefect; this
package sits on top of both and is what a user runs.
"""
