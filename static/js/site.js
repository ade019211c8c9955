// Reader conveniences; every page works without this file.
