package interop_test

// The routers and the Redis limiter the README's snippets are compiled
// against (TestEveryGoSnippetInTheREADMECompiles): imported here so that
// the module requires them.
import (
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/labstack/echo/v4"
	_ "github.com/redis/go-redis/v9"

	_ "github.com/flexinference/flexguard/contrib/redislimit"
)
