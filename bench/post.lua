-- wrk script: a GP tom SALE
wrk.method = "POST"
wrk.body = '{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD","originReferenceNum":"bench-0001"}'
wrk.headers["Content-Type"] = "application/json"
