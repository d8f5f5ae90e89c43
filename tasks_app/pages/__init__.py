"""Server-rendered management pages (dashboard, tasks, executions, groups, import/export, cleanup).

Views here parse input, call one service function of the engine and render; permissions are
the same as the API's: viewing needs a login, every action its model permission.
"""
